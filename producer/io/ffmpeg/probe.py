"""What ffprobe says of a file (or its header, where that says the same), and what
volumedetect logged."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path


from ...core.episode.models import AudioInfo
from .. import audio_headers
from .tools import STATS_FILTERS, last_line, stats_prefix, tool
from ...errors import MediaError

def probe(path: Path) -> AudioInfo:
    """Duration, rate and channels of the first audio stream, or a MediaError; from
    the file's own header where that is what ffprobe would say (io.audio_headers)."""
    if not path.is_file():
        raise MediaError(f"{path}: no such file")
    ffprobe = tool("ffprobe")  # the first thing a build asks of the system, header or not
    if (known := audio_headers.read(path)) is not None:
        return known
    cmd = [ffprobe, "-v", "error", "-select_streams", "a:0",
           "-show_entries", "stream=codec_name,sample_rate,channels,duration:format=duration,format_name",
           "-of", "json", str(path)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise MediaError(f"{path}: not readable audio ({last_line(result.stderr)})")
    data = json.loads(result.stdout or "{}")
    streams = data.get("streams") or []
    if not streams:
        raise MediaError(f"{path}: holds no audio stream")
    s = streams[0]
    form = data.get("format", {})
    duration = s.get("duration") or form.get("duration")
    try:
        return AudioInfo(path, float(duration), int(s["sample_rate"]), int(s["channels"]),
                         s.get("codec_name", "?"), container=form.get("format_name", ""))
    except (TypeError, KeyError, ValueError):
        raise MediaError(f"{path}: not readable audio (no duration, rate or channel count)") from None


def probe_json(path: Path, entries: str) -> dict:
    """ffprobe's JSON for `-show_entries entries` (chapters, format tags...)."""
    cmd = [tool("ffprobe"), "-v", "error", "-show_entries", entries, "-of", "json", str(path)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise MediaError(f"{path}: not readable ({last_line(result.stderr)})")
    return json.loads(result.stdout or "{}")


def volumedetect_figures(log: str, instance: str | None = None) -> dict[str, float]:
    """What volumedetect logs when its graph closes ("max_volume: -0.3 dB",
    "histogram_0db: 12"); the last report wins (ffmpeg may open a graph twice)."""
    return stats_figures(log, "volumedetect", instance)


def stats_figures(log: str, name: str, instance: str | None = None) -> dict[str, float]:
    """What a statistics filter (tools.STATS_FILTERS) logs when its graph closes
    ("Peak level dB: -inf" for astats), by name, or by the instance name the graph
    gave it (`volumedetect@t1`: one graph, several tracks); the last report wins."""
    assert name in STATS_FILTERS
    prefix = stats_prefix(name, instance or None)
    figures: dict[str, float] = {}
    for line in log.splitlines():
        if line.startswith(prefix) and ":" in line:
            figure, _, value = line.split("] ", 1)[1].partition(":")
            try:
                figures[figure.strip()] = float(value.split()[0])
            except (ValueError, IndexError):
                pass
    return figures
