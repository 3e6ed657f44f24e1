"""The one reader of an episode's dist/report.json (build, status, check, publish and
`--if-stale` all ask it the same way)."""
from __future__ import annotations

from pathlib import Path

from ..core.episode.build_report import BuildReport
from ..core.episode.episode_files import REPORT_JSON


def read_report(episode_folder: Path) -> BuildReport:
    """The episode's last build report. Raises OSError when there is none, ValueError
    when it is not a report this version can read."""
    return BuildReport.from_json((episode_folder / "dist" / REPORT_JSON).read_text(encoding="utf-8"))
