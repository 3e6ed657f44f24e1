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


def test_peak_memory_is_flat_from_1_to_10_minutes(tmp_path: Path) -> None:
    short = factory.make_show(tmp_path / "short", seconds=60, chapters=[("00:00", "All", None)], recordings=1)
    long = factory.make_show(tmp_path / "long", seconds=600, chapters=[("00:00", "All", None)], recordings=1)
    small, big = peak_mb(short), peak_mb(long)
    # whole-file pyloudnorm on 10 minutes of stereo takes about 1.1 GB; streaming stays flat
    assert big < 300, (small, big)
    assert big - small < 25, (small, big)
