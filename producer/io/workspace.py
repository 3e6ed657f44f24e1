"""The build's workspace: a temporary folder beside dist/ that is swapped in whole
at the end, so a failed build leaves the previous dist/ (or none) untouched."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..errors import EnvironmentFailure


def work_folder(out_dir: Path) -> Path:
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".dist-", dir=out_dir.parent))
        work.chmod(0o755)  # mkdtemp's 0700 would make dist/ private to this user
    except OSError as e:
        raise EnvironmentFailure(f"{out_dir.parent}: cannot write the build ({e.strerror or e})") from None
    return work


def swap_into_place(work: Path, out_dir: Path) -> None:
    """`work` becomes `out_dir`; the previous one is put back if the rename fails."""
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".dist-old-{os.getpid()}")
        out_dir.rename(old)
    try:
        work.rename(out_dir)
    except OSError:
        if old:
            old.rename(out_dir)  # the previous dist/ back in place
        raise
    if old:
        shutil.rmtree(old, ignore_errors=True)
