"""Renditions: the programme once more through the MP3's final gain and
limiter, teed into one encoder a format (AAC in M4A, Opus in Ogg) with the
chapters as ffmpeg metadata; each file measured after encoding and, where its
codec moved the loudness or the peaks, made again with that corrected; then
tagged with the cover."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from ..core.artwork import Artwork
from ..core.limiter import Limiter
from ..core.loudness import Loudness
from ..core.plan import BuildPlan
from ..core.formats import FORMATS
from ..core.policy import MAX_TRIES, Attempt, Tried, next_attempt
from ..core.renditions import ffmetadata, first_attempt, stream_args
from ..errors import CheckFailed
from ..io import tags
from ..io.ffmpeg import PcmEncoder
from ..io.progress import Progress
from . import assemble, level
from .measure import measure_file


@dataclass(frozen=True)
class Made:
    fmt: str
    path: Path
    loudness: Loudness
    attempt: Attempt
    tries: int

    def as_dict(self) -> dict[str, object]:
        return {"file": self.path.name, "output": self.loudness.as_dict(), "gain_db": round(self.attempt.gain_db, 3),
                "limiter_ceiling_db": round(self.attempt.ceiling_db, 3), "tries": self.tries}


def make(plan: BuildPlan, final: Attempt, leveling: level.Leveling | None, duration_ms: int, work: Path,
         cover: Artwork, progress: Progress) -> list[Made]:
    meta = work / ".chapters.ffmetadata"
    meta.write_text(ffmetadata(plan.episode.title, plan.chapters, duration_ms), encoding="utf-8")
    pending = {fmt: first_attempt(fmt, final, plan.preset) for fmt in plan.renditions}
    history: dict[str, list[Tried]] = {fmt: [] for fmt in plan.renditions}
    made: dict[str, Made] = {}
    for tries in range(1, MAX_TRIES + 1):
        _encode_pass(plan, pending, work, meta, leveling, progress, tries)
        for fmt, attempt in list(pending.items()):
            path = work / plan.files.audio(fmt)
            measured = measure_file(path)
            history[fmt].append(Tried(attempt, measured.integrated, measured.true_peak))
            decision = next_attempt(history[fmt], plan.preset, FORMATS[fmt])
            progress.line(f"{fmt}: {measured.integrated:.2f} LUFS, true peak {measured.true_peak:.2f} dBTP"
                          + ("" if decision.action == "ship" else " (again, corrected)"))
            if decision.action == "ship":
                made[fmt] = Made(fmt, path, measured, attempt, tries)
                del pending[fmt]
            elif decision.attempt is not None:
                pending[fmt] = decision.attempt
            else:
                raise CheckFailed(f"{plan.episode.folder}: the {fmt} rendition misses {plan.preset.integrated:g} "
                                  f"LUFS / {plan.preset.true_peak:g} dBTP after {MAX_TRIES} tries")
        if not pending:
            break
    meta.unlink()
    for m in made.values():
        tags.write(m.path, FORMATS[m.fmt], plan, cover, duration_ms)
    return [made[fmt] for fmt in plan.renditions]


def _encode_pass(plan: BuildPlan, attempts: dict[str, Attempt], work: Path, meta: Path,
                 leveling: level.Leveling | None, progress: Progress, tries: int) -> None:
    """One pass over the assembly, teed into a limiter and an encoder a format: the
    limiters run in lockstep, so the tee holds no more than a chunk or two."""
    a, p = plan.assembly, plan.preset
    stage = progress.stage(f"renditions{f' {tries}' if tries > 1 else ''}: {', '.join(attempts)}",
                           a.expected_seconds)
    branches = itertools.tee(assemble.source(a, leveling), len(attempts))
    streams = [Limiter(att.gain_db, att.ceiling_db, a.sample_rate).process(branch)
               for att, branch in zip(attempts.values(), branches)]
    encoders = [PcmEncoder(work / plan.files.audio(fmt), a.sample_rate, a.channels,
                           [*stream_args(fmt), *FORMATS[fmt].encoder(p)], ["-f", "ffmetadata", "-i", str(meta)],
                           what=f"{fmt} encoding") for fmt in attempts]
    frames = 0
    try:
        for chunks in zip(*streams):
            for encoder, chunk in zip(encoders, chunks):
                encoder.write(chunk)
            frames += len(chunks[0])
            stage.update(frames / a.sample_rate)
    except BaseException:
        for encoder in encoders:
            encoder.abort()
        raise
    for encoder in encoders:
        encoder.close()
    stage.done(", ".join(f"{fmt} gain {att.gain_db:+.2f} dB, ceiling {att.ceiling_db:.2f}"
                         for fmt, att in attempts.items()))
