"""Render: one pass over the assembly for every format still to make. The
programme is decoded and leveled once and teed into one true-peak limiter
(core.audio.limiter) and one encoder a format, all running at once: LAME, the AAC and
the Opus encoder are separate processes, so they share the two cores while
this process limits. Every file is measured while it is written: the MP3 is
decoded from its file as LAME writes it, a rendition from the copy of its
packets its encoder writes to stdout (core.episode.formats.Tap).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from ..core.episode.formats import FORMATS, MAIN
from ..core.audio.limiter import Limiter, LimiterBank
from ..core.episode.plan import BuildPlan
from ..core.episode.policy import Attempt
from ..core.episode.renditions import stream_args
from ..io.ffmpeg import PcmEncoder
from ..io.progress import Progress
from . import assemble, encode, level, video
from .verify import OverlappedVerify, TappedVerify, Verified


@dataclass(frozen=True)
class Rendered:
    fmt: str
    path: Path
    attempt: Attempt
    verified: Verified
    limiter: dict[str, Any]
    seconds: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        a = self.attempt
        return {"gain_db": round(a.gain_db, 3), "limiter_ceiling_db": round(a.ceiling_db, 3),
                "predicted_loss_lu": None if a.predicted_loss_lu is None else round(a.predicted_loss_lu, 3),
                "output": self.verified.loudness.as_dict(), "verified_by": self.verified.method,
                "limiter": self.limiter}


@dataclass(frozen=True)
class Pass:
    """One read of the programme: the files it made, and its length."""

    files: dict[str, Rendered]
    frames: int
    mp3_energy: np.ndarray | None  # the MP3's speech energies (OverlappedVerify.speech_energy), when it was made


def render(plan: BuildPlan, attempts: dict[str, Attempt], work: Path, chapters_meta: Path, progress: Progress,
           number: int, leveling: level.Leveling | None = None) -> Pass:
    """Every format in `attempts` from one run of the assembly, each file measured on
    its own encoded bytes."""
    a, p = plan.assembly, plan.preset
    formats = list(attempts)
    label = "render" + (f" {number}" if number > 1 else "") + ("" if formats == [MAIN.name] else
                                                               f": {', '.join(formats)}")
    stage = progress.stage(label, a.expected_seconds)
    paths = {fmt: work / plan.files.audio(fmt) for fmt in formats}
    limiters = {fmt: Limiter(att.gain_db, att.ceiling_db, a.sample_rate) for fmt, att in attempts.items()}
    for path in paths.values():
        path.unlink(missing_ok=True)  # the MP3's verifier follows its file: never let it read the last try's
    verifiers: dict[str, Any] = {}
    encoders: dict[str, PcmEncoder] = {}
    picture = video.picture(plan) if any(FORMATS[f].video for f in formats) else None
    try:
        if MAIN.name in attempts:  # one decode follows the MP3 as LAME writes it: its loudness and speech figures
            verifiers[MAIN.name] = OverlappedVerify(paths[MAIN.name], p, downmix=True)
        for fmt in formats:
            encoders[fmt] = _encoder(plan, fmt, paths[fmt], chapters_meta, picture)
            if fmt != MAIN.name:
                verifiers[fmt] = TappedVerify(encoders[fmt], FORMATS[fmt], paths[fmt], p)
        frames = _feed(_limited(assemble.source(a, leveling), limiters), encoders,
                       lambda done: stage.update(done / a.sample_rate))
        for encoder in encoders.values():
            encoder.close()
        for verifier in verifiers.values():
            verifier.finished(frames)
        for fmt in formats:
            if FORMATS[fmt].tap is not None and FORMATS[fmt].tap.beside:
                encode.remux(FORMATS[fmt], paths[fmt], chapters_meta)
    except BaseException:
        for encoder in encoders.values():
            encoder.abort()
        for verifier in verifiers.values():
            verifier.abort()
        raise
    finally:
        if picture is not None:
            picture.remove()
    took = stage.done(", ".join(f"{fmt} gain {attempts[fmt].gain_db:+.2f} dB, "
                                f"{limiters[fmt].stats.limited_frames} samples limited" for fmt in formats))
    t = time.monotonic()
    verified = {fmt: verifiers[fmt].result() for fmt in formats}
    seconds = {f"render_encode_{number}": took, f"verify_{number}": time.monotonic() - t}
    for fmt in formats:
        out = verified[fmt].loudness
        progress.line(f"verify {fmt}: {out.integrated:.2f} LUFS, true peak {out.true_peak:.2f} dBTP "
                      f"(measured on the {fmt} file, {verified[fmt].method})")
    files = {fmt: Rendered(fmt, paths[fmt], attempts[fmt], verified[fmt], limiters[fmt].stats.as_dict(), seconds)
             for fmt in formats}
    return Pass(files, frames, verifiers[MAIN.name].speech_energy() if MAIN.name in verifiers else None)


def _encoder(plan: BuildPlan, fmt: str, path: Path, chapters_meta: Path,
             picture: video.Picture | None = None) -> PcmEncoder:
    if FORMATS[fmt].video:
        assert picture is not None
        return encode.tapped_encoder(FORMATS[fmt], path, plan.preset, picture.inputs, picture.graph)
    if FORMATS[fmt].tap is not None:
        return encode.tapped_encoder(FORMATS[fmt], path, plan.preset)
    return encode.encoder_for(FORMATS[fmt], path, plan.preset, stream_args(fmt),
                              ["-f", "ffmetadata", "-i", str(chapters_meta)])


def _limited(source: Iterator[np.ndarray], limiters: dict[str, Limiter]) -> Iterator[tuple[np.ndarray, ...]]:
    return LimiterBank(list(limiters.values())).process(source)


def _feed(chunks: Iterator[tuple[np.ndarray, ...]], encoders: dict[str, PcmEncoder], on_frames: Any) -> int:
    frames = 0
    for group in chunks:
        for encoder, chunk in zip(encoders.values(), group):
            encoder.write(chunk)
        frames += len(group[0])
        on_frames(frames)
    return frames
