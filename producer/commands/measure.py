"""`producer measure`: loudness figures of any audio file ffmpeg reads."""
from __future__ import annotations

import json
from typing import Any, TextIO

from ..core.episode.verdicts import figure
from ..errors import ProducerError
from ..core.audio.leveler import LevelerSettings
from ..stages.measure import measure_and_hear
from .check import expand


def measure_files(patterns: list[str], as_json: bool, out: TextIO) -> None:
    results: list[dict[str, Any]] = []
    failures: list[ProducerError] = []
    for path in expand(patterns):
        try:
            measured, heard = measure_and_hear(path, LevelerSettings())
            results.append({"file": str(path), **measured.as_dict(), **heard.balance.as_dict()})
        except ProducerError as e:
            results.append({"file": str(path), "error": str(e)})
            failures.append(e)
    if as_json:
        json.dump(results, out, indent=2)
        out.write("\n")
    else:
        for r in results:
            out.write(_line(r))
    if failures:  # each was reported above; the exit code is the last one's, as before
        raise type(failures[-1])(f"{len(failures)} of {len(results)} files could not be measured")


def _line(r: dict[str, Any]) -> str:
    if "error" in r:
        return f"✗ {r['error']}\n"
    return (f"{r['file']}: integrated {figure(r['integrated'], 'LUFS')}, true peak "
            f"{figure(r['true_peak'], 'dBTP')}, LRA {figure(r['lra'], 'LU')}, sample peak "
            f"{figure(r['sample_peak'], 'dBFS')}, speech spread {r['speech_spread_lu']:.1f} LU "
            f"over {r['turns']} turns, "
            f"duration {r['duration']:.3f} s\n")
