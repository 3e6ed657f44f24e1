"""Render: the programme again from the assembly, through the gain and the
true-peak limiter (core.limiter), into the encoder, while the verifier decodes
and measures what the encoder writes."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.limiter import Limiter
from ..core.plan import BuildPlan
from ..core.policy import Attempt
from ..io.progress import Progress
from . import assemble, encode, level
from .verify import OverlappedVerify, Verified


@dataclass(frozen=True)
class Rendered:
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


def render(plan: BuildPlan, attempt: Attempt, mp3: Path, progress: Progress, number: int,
           leveling: level.Leveling | None = None) -> Rendered:
    """Render and encode; meanwhile decode the MP3 as LAME writes it and measure it,
    so verification costs almost nothing on top of the encode."""
    a, p = plan.assembly, plan.preset
    stage = progress.stage(f"render {number}" if number > 1 else "render", a.expected_seconds)
    limiter = Limiter(attempt.gain_db, attempt.ceiling_db, a.sample_rate)
    mp3.unlink(missing_ok=True)  # the verifier follows this file: never let it read the last try's
    verifier = OverlappedVerify(mp3, p)
    try:
        frames = encode.encode(limiter.process(assemble.source(a, leveling)), mp3, p,
                               lambda done: stage.update(done / a.sample_rate))
    except BaseException:
        verifier.abort()
        raise
    verifier.finished(frames)
    seconds = {f"render_encode_{number}": stage.done(
        f"gain {attempt.gain_db:+.2f} dB, {limiter.stats.limited_frames} samples limited")}
    t = time.monotonic()
    verified = verifier.result()
    seconds[f"verify_{number}"] = time.monotonic() - t
    out = verified.loudness
    progress.line(f"verify: {out.integrated:.2f} LUFS, true peak {out.true_peak:.2f} dBTP "
                  f"(measured on the MP3, {verified.method})")
    return Rendered(attempt, verified, limiter.stats.as_dict(), seconds)
