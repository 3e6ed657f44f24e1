"""Peak memory of `producer build` must not grow with the episode's length."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests import factory

PEAK_RSS = """
import resource, subprocess, sys
r = subprocess.run([sys.executable, "-m", "producer", "build", sys.argv[1], "--quiet"], capture_output=True)
assert r.returncode == 0, r.stderr.decode()
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
"""


def peak_mb(episode: Path) -> int:
    """The largest resident set of any process in the build's tree, in MB."""
    out = subprocess.run([sys.executable, "-c", PEAK_RSS, str(episode)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.strip())


def test_peak_memory_is_flat_from_1_to_5_minutes(tmp_path: Path) -> None:
    """5 minutes and 10 seconds: past the length whose analysis runs in a child process
    (stages.level.CHILD_FROM_S); a whole-file buffer would be 109 MB more there. With
    all three formats: the MP3's build is every process and buffer of this one but the
    renditions' encoders, their verifying decodes and the tee that feeds them (the
    render's code takes the same path for one format as for three), so the MP3 alone
    is not built here again (it was a variant of this test: 18 of the suite's CPU-s)."""
    short = factory.make_show(tmp_path / "short", seconds=60, chapters=[("00:00", "All", None)], recordings=1)
    long = factory.make_show(tmp_path / "long", seconds=310, chapters=[("00:00", "All", None)], recordings=1)
    for show in (tmp_path / "short", tmp_path / "long"):  # the tee of the renditions' pass must not buffer either
        factory.add_renditions(show)
    small, big = peak_mb(short), peak_mb(long)
    # whole-file pyloudnorm on 5 minutes of stereo takes about 0.6 GB; streaming stays flat
    assert big < 300, (small, big)
    assert big - small < 25, (small, big)


def test_a_build_loads_no_scipy(tmp_path: Path) -> None:
    """scipy.signal alone is 76 MB of the build's process: its meters read ffmpeg's
    K-weighting and its limiter filters are numpy's."""
    show = factory.make_show(tmp_path / "show", seconds=20, chapters=[("00:00", "All", None)], recordings=1)
    factory.add_renditions(tmp_path / "show")
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "producer", "build", str(show), "--quiet"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    loaded = {line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines() if line.startswith("import time:")}
    assert "numpy" in loaded and not {m for m in loaded if m.startswith(("scipy", "pyloudnorm"))}
