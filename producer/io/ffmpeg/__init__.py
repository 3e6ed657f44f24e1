"""The one place that runs ffmpeg and ffprobe, by job: tools (finding and running
ffmpeg), probe, pcm (PCM out of ffmpeg), pipes (what goes into its stdin) and
encoders (PCM into ffmpeg).

Audio moves between ffmpeg and Python as raw 32-bit float PCM over pipes, in
chunks, so no stage ever holds a whole episode. ffmpeg's failures become
MediaError (bad input, exit 2); a missing ffmpeg is EnvironmentFailure (exit 3).
"""
from __future__ import annotations

from .tools import PIPE_BYTES, tool, BACKGROUND_NICE, background_thread, run
from .probe import probe, probe_json, volumedetect_figures, stats_figures
from .pcm import CHUNK_SECONDS, PREFETCH_CHUNKS, PcmSource, LAYOUTS, pcm_out, pcm_out_each, metered_chain, SideOutput, Branch, read_with_sides, pcm_in, decode_args, whole_seconds, decode
from .pipes import follow, relay, writes
from .encoders import PcmEncoder, Mp3Encoder
from ...core.audio.mp3_frames import mp3_frame_bytes

__all__ = ["PIPE_BYTES", "tool", "BACKGROUND_NICE", "background_thread", "run", "probe", "probe_json", "volumedetect_figures", "stats_figures", "CHUNK_SECONDS", "PREFETCH_CHUNKS", "PcmSource", "LAYOUTS", "pcm_out", "pcm_out_each", "metered_chain", "SideOutput", "Branch", "read_with_sides", "pcm_in", "decode_args", "whole_seconds", "decode", "follow", "relay", "writes", "PcmEncoder", "Mp3Encoder", "mp3_frame_bytes"]
