"""Recognise: the transcript from the audio, offline (io/recogniser), each
recording where its own speaker talks (the leveler's own-speech map: the
guest's voice bleeding into the host's microphone is not heard twice), named
after the person whose `track` it is. Windows of at most WINDOW_S around the
speech are decoded one at a time from a stream, so an hour is never held whole.

The words are cached by the digest of the audio and the model they came from
(`EP/.producer-cache/`): a rebuild after a tag change, or a re-publish, does
not recognise again."""
from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from .. import __version__
from ..core.audio import leveler, speech
from ..core.transcripts import prompt, recognised
from ..core.episode.models import AudioInfo, Episode, Show, recognises
from ..core.episode.plan import BuildPlan, read_args
from ..core.transcripts.recognised import Spoken
from ..errors import EnvironmentFailure, ProducerError
from ..io import ffmpeg, files, recogniser
from ..io.progress import Progress

CACHE = ".producer-cache"
WINDOW_S = 28.0  # Whisper hears 30 s at a time; a window is cut at the quietest moment before this
PAD_MS = 300  # around each run of speech: the detector starts a little late and ends a little early
BLOCK_MS = round(leveler.BLOCK_S * 1000)
VETO_MS = 150  # no automatic cut within this of a word Whisper hears
HEARING_GAP_S = 0.5  # of silence between two stretches heard in one window


def wanted(show: Show, episode: Episode) -> bool:
    return recognises(show, episode)


def speakers(show: Show, episode: Episode, recordings: Sequence[AudioInfo]) -> list[str | None]:
    """Each recording's speaker: the person whose `track` it is; with one recording
    and one person, that person; otherwise nobody."""
    people = [*show.persons, *episode.persons]
    named = {}
    for p in people:
        if p.track:
            named[(episode.folder / p.track).resolve()] = p.name
    found = [named.get(r.path.resolve()) for r in recordings]
    if len(recordings) == 1 and found[0] is None and len(people) == 1:
        return [people[0].name]
    return found


def runs(active: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) ms of each run of own speech."""
    return [(a * BLOCK_MS, b * BLOCK_MS) for a, b in speech.runs(active)]


def windows(active: np.ndarray, energy: np.ndarray, duration_ms: int) -> list[tuple[int, int]]:
    """[start, end) ms of each window: runs of own speech, padded, joined while the
    joined span stays under WINDOW_S, a longer run cut at its quietest block."""
    padded = [(max(0, a - PAD_MS), min(duration_ms, b + PAD_MS)) for a, b in runs(active)]
    limit = int(WINDOW_S * 1000)
    out: list[tuple[int, int]] = []
    for start, end in padded:
        start = max(start, out[-1][1]) if out else start  # padding never makes two windows overlap
        if out and end - out[-1][0] <= limit:
            out[-1] = (out[-1][0], end)
            continue
        while end - start > limit:  # one long run: cut where it is quietest in its last 8 s
            lo, hi = (start + limit - 8000) // BLOCK_MS, (start + limit) // BLOCK_MS
            cut = (lo + int(np.argmin(energy[lo:hi]))) * BLOCK_MS if hi <= len(energy) else start + limit
            out.append((start, cut))
            start = cut
        out.append((start, end))
    return out


@dataclass(frozen=True)
class Heard:
    words: list[Spoken]  # in recording time, with their speakers
    seconds: float  # the recogniser's wall time (0 from the cache)
    cached: bool
    model: str

    def report(self) -> dict[str, object]:
        return {"source": "recognised", "model": self.model, "words": len(self.words),
                "recognition_seconds": round(self.seconds, 2), "cached": self.cached}


def recognise(plan: BuildPlan, features: Sequence[leveler.TrackFeatures], speech_map: leveler.SpeechMap,
              digests: Sequence[str], progress: Progress, stop: threading.Event | None = None) -> Heard:
    """Every word of every recording, in recording time, with its speaker."""
    started = time.monotonic()
    a, show, episode = plan.assembly, plan.show, plan.episode
    padded = leveler.padded(features)
    active = speech_map.active
    spans = [windows(act, f.energy, round(t.duration * 1000)) for act, f, t in zip(active, padded, a.recordings)]
    names = speakers(show, episode, a.recordings)
    folder = recogniser.model_folder(show.transcript_model)
    said = whisper_prompt(plan)
    key = hashlib.sha256(json.dumps([__version__, recogniser.identity(folder), show.language, list(digests), said,
                                     [[list(w) for w in s] for s in spans],
                                     [(act.astype(np.int8).tobytes().hex() if len(a.recordings) > 1 else "")
                                      for act in active]]).encode()).hexdigest()[:32]
    cache = episode.folder / CACHE / f"recognised-{key}.json"
    model = str(folder) if show.transcript_model else recogniser.packaged_name()
    if cache.is_file():  # the words a track, unnamed: who speaks on a track may change without new words
        try:
            tracks = json.loads(cache.read_text(encoding="utf-8"))["tracks"]
            return Heard(_named(tracks, names), 0.0, True, model)
        except (ValueError, TypeError, KeyError):
            pass  # a damaged cache is recognised again
    stage = progress.stage("transcribe", sum(e - s for track in spans for s, e in track) / 1000)
    tracks: list[list[tuple[int, int, str]]] = []
    done = 0.0
    try:
        with recogniser.Engine(folder, show.language, show.file, said) as engine:
            for track, span, act in zip(a.recordings, spans, active):
                mute = act if len(a.recordings) > 1 else None  # another voice's bleed is not this speaker
                heard: list[Spoken] = []
                for (start, end), samples in _windows_of(track, span, mute):
                    if stop is not None and stop.is_set():  # the build failed elsewhere: nobody waits for these
                        return Heard([], 0.0, False, model)
                    heard += [Spoken(w.start_ms, w.end_ms, w.text, None) for w in engine.words(samples, start)]
                    done += (end - start) / 1000
                    stage.update(done)
                tracks.append([(w.start_ms, w.end_ms, w.text) for w in recognised.fitted(heard, runs(act), PAD_MS)])
    except ProducerError:
        raise
    except Exception as e:  # the recogniser's own failure: one line, nothing half-written
        raise recogniser.failed(e) from None
    stage.done(f"{sum(len(t) for t in tracks)} words")
    try:
        cache.parent.mkdir(exist_ok=True)
    except OSError as e:
        raise EnvironmentFailure(f"{cache.parent}: cannot be written ({e.strerror or e})") from None
    files.replace_text(cache, json.dumps({"tracks": tracks}, ensure_ascii=False))
    return Heard(_named(tracks, names), time.monotonic() - started, False, model)


def whisper_prompt(plan: BuildPlan) -> str | None:
    """The filler line when the fillers detector is on (measured: it costs word error
    rate on speech without fillers, docs/guide/transcripts.md), and the show's own
    words: title, chapter titles, persons' names, [transcript] vocabulary."""
    show, ep = plan.show, plan.episode
    words = [*show.vocabulary, *ep.vocabulary, *(p.name for p in (*show.persons, *ep.persons)), ep.title,
             *(c.title for c in ep.chapters)]
    return prompt.prompt(plan.cutting.fillers != "off", words)


def _named(tracks: Sequence[Sequence[Sequence[object]]], names: Sequence[str | None]) -> list[Spoken]:
    return [Spoken(int(a), int(b), str(text), name)  # type: ignore[call-overload]
            for words, name in zip(tracks, names) for a, b, text in words]


def _windows_of(track: AudioInfo, spans: Sequence[tuple[int, int]],
                mute: np.ndarray | None) -> Iterator[tuple[tuple[int, int], np.ndarray]]:
    """Each window's samples from one streaming decode at 16 kHz mono, the blocks
    where this track's speaker is silent zeroed when `mute` is given."""
    if not spans:
        return
    rate = recogniser.RATE
    source = ffmpeg.decode(track.path, rate, 1)
    held = np.zeros(0, np.float32)
    held_from = 0  # sample index of held[0]
    pending = iter(spans)
    start, end = next(pending)
    for chunk in source:
        held = np.concatenate([held, chunk[:, 0]])
        while held_from + len(held) >= end * rate // 1000:
            a, b = start * rate // 1000 - held_from, end * rate // 1000 - held_from
            window = held[max(0, a):b].copy()
            if mute is not None:
                window *= _gate(mute, start, len(window), rate)
            yield (start, end), window
            held, held_from = held[b:], held_from + b
            nxt = next(pending, None)
            if nxt is None:
                return
            start, end = nxt
        drop = min(start * rate // 1000 - held_from, len(held))  # nothing before the next window is needed
        if drop > 0:
            held, held_from = held[drop:], held_from + drop
    a = start * rate // 1000 - held_from
    if a < len(held):  # the last window reaches past the decoded end
        window = held[max(0, a):].copy()
        if mute is not None:
            window *= _gate(mute, start, len(window), rate)
        yield (start, end), window


def _gate(active: np.ndarray, start_ms: int, frames: int, rate: int) -> np.ndarray:
    """1 where the track's own speaker talks (padded by PAD_MS), 0 elsewhere, per sample."""
    blocks = (start_ms + np.arange(frames) * 1000 // rate) // BLOCK_MS
    widened = active.copy()
    for k in range(1, PAD_MS // BLOCK_MS + 1):
        widened[k:] |= active[:-k]
        widened[:-k] |= active[k:]
    return widened[np.clip(blocks, 0, len(widened) - 1)].astype(np.float32)


def hear(plan: BuildPlan, spans: Sequence[tuple[int, int]]) -> list[list[str]]:
    """The words Whisper hears in each stretch [start − VETO_MS, end + VETO_MS) ms of
    the recordings (the tracks summed: a word on any of them counts). The stretches,
    seconds an hour, are heard together, packed into windows of at most WINDOW_S
    with HEARING_GAP_S of silence between them; each word goes to the stretch its
    middle falls in or nearest to."""
    rate = recogniser.RATE
    pieces: list[tuple[int, np.ndarray]] = []  # (stretch, samples), a long stretch in several
    for i, (a, b) in enumerate(spans):
        start, end = max(0, a - VETO_MS), b + VETO_MS
        mix = _excerpt(plan.assembly.recordings, start, end, rate)
        step = int((WINDOW_S - HEARING_GAP_S) * rate)
        pieces += [(i, mix[k:k + step]) for k in range(0, max(len(mix), 1), step)]
    heard: list[list[str]] = [[] for _ in spans]
    gap = np.zeros(int(HEARING_GAP_S * rate), np.float32)
    packed: list[tuple[list[tuple[int, int, int]], list[np.ndarray]]] = []  # each window's stretches and samples
    window: list[tuple[int, int, int]] = []  # (stretch, first sample, end sample) in the window
    parts: list[np.ndarray] = []
    filled = 0
    for i, samples in pieces:
        if filled + len(samples) > WINDOW_S * rate and parts:
            packed.append((window, parts))
            window, parts, filled = [], [], 0
        window.append((i, filled, filled + len(samples)))
        parts += [samples, gap]
        filled += len(samples) + len(gap)
    if parts:
        packed.append((window, parts))
    show = plan.show
    with recogniser.Engine(recogniser.model_folder(show.transcript_model), show.language, show.file,
                           whisper_prompt(plan)) as engine:
        for stretches, samples_of in packed:
            for w in engine.words(np.concatenate(samples_of), 0):
                middle = (w.start_ms + w.end_ms) / 2 * rate / 1000
                owner = min(stretches, key=lambda p: 0 if p[1] <= middle < p[2] else min(abs(middle - p[1]),
                                                                                         abs(middle - p[2])))
                heard[owner[0]].append(w.text)
    return heard


def _excerpt(tracks: Sequence[AudioInfo], start_ms: int, end_ms: int, rate: int) -> np.ndarray:
    """[start, end) ms of every track, decoded at `rate` mono and summed."""
    out = np.zeros(0, np.float32)
    for track in tracks:
        args = ["-ss", f"{start_ms / 1000:.3f}", "-t", f"{(end_ms - start_ms) / 1000:.3f}", *read_args(track),
                "-vn", "-map", "0:a:0", "-ac", "1", "-ar", str(rate)]
        x = np.concatenate([c[:, 0] for c in ffmpeg.PcmSource(args, 1, rate, track.path)] or [np.zeros(0, np.float32)])
        if len(x) > len(out):
            x[:len(out)] += out
            out = x
        else:
            out[:len(x)] += x
    return out
