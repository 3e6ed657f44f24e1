"""Several episodes with one command: each in turn, or in N processes (-j N). One
episode's failure stops no other (unless --fail-fast); every episode's own work is
already all-or-nothing (build swaps dist/ in whole, publish moves the feed last with
a conditional write), so what runs side by side shares nothing but the feed.
The exit status is the worst of them: 3 over 2 over 1 over 0."""
from __future__ import annotations

import io
import json
import multiprocessing
import sys
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, TextIO

from ..errors import EnvironmentFailure, InputError, ProducerError, os_error_text
from ..io.progress import Progress


@dataclass(frozen=True)
class Result:
    """What one episode's job reports when it succeeds."""

    verdict: str  # built | up to date | published | would publish | pass
    line: str  # the command's one result line
    integrated: float | None = None
    true_peak: float | None = None
    detail: Any = None  # check's JSON document for the episode
    exit_code: int = 0  # a job that reports its failure with its detail (check) sets it


@dataclass(frozen=True)
class Outcome:
    episode: str
    exit_code: int
    verdict: str
    seconds: float
    message: str
    integrated_lufs: float | None = None
    true_peak_dbtp: float | None = None
    output: str = ""  # what the job printed, kept when it ran in another process
    detail: Any = None

    def summary(self) -> str:
        loud = f", {self.integrated_lufs:.2f} LUFS" if self.integrated_lufs is not None else ""
        code = f" (exit {self.exit_code})" if self.exit_code else ""
        tail = f": {self.message}" if self.exit_code else ""
        return f"{self.episode}: {self.verdict}{code}{loud}, {self.seconds:.1f} s{tail}"

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("output")
        if self.detail is None:
            d.pop("detail")
        return d


Job = Callable[[Path, dict[str, Any], TextIO, Progress], Result]


def processes(value: int) -> int:
    if value < 1:
        raise InputError(f"-j {value}: give the number of episodes to work on at once, 1 or more")
    return value


def run_all(job: Job, folders: list[Path], options: dict[str, Any], jobs: int, fail_fast: bool,
            as_json: bool, quiet: bool, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Every folder through `job`; returns the worst exit status. The streams default to
    sys.stdout and sys.stderr as they are at the call (not at import: a caller that
    swaps them, as a test's capture does, is written to)."""
    out, err = out or sys.stdout, err or sys.stderr
    several = len(folders) > 1
    if jobs > 1 and several:
        outcomes = _parallel(job, folders, options, jobs, fail_fast, as_json, err)
    else:
        outcomes = _in_turn(job, folders, options, fail_fast, as_json, quiet, several, out, err)
    if as_json:
        json.dump([o.as_dict() for o in outcomes], out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif several:
        out.write("".join(o.summary() + "\n" for o in outcomes))
    return max((o.exit_code for o in outcomes), default=0)


def _in_turn(job: Job, folders: list[Path], options: dict[str, Any], fail_fast: bool, as_json: bool,
             quiet: bool, several: bool, out: TextIO, err: TextIO) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for folder in folders:
        if fail_fast and any(o.exit_code for o in outcomes):
            outcomes.append(_skipped(folder))
            continue
        if several and not as_json:
            out.flush()
            err.write(f"── {folder} ──\n")
            err.flush()
        sink = io.StringIO() if as_json else out
        outcome = _run_one(job, folder, options, sink, Progress(quiet or as_json, err))
        if outcome.exit_code:
            out.flush()
            err.write(f"producer: {outcome.message}\n")
            err.flush()
        outcomes.append(outcome)
    return outcomes


def _parallel(job: Job, folders: list[Path], options: dict[str, Any], jobs: int, fail_fast: bool,
              as_json: bool, err: TextIO) -> list[Outcome]:
    """Each episode in a fresh process (spawn: nothing inherited from this one's
    threads), its printout shown whole when it ends, not interleaved."""
    done: dict[Path, Outcome] = {}
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending: dict[Future[Outcome], Path] = {pool.submit(_captured, job, f, options): f for f in folders}
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                folder = pending.pop(future)
                if future.cancelled():
                    continue
                outcome = future.result()
                done[folder] = outcome
                if not as_json:
                    err.write(f"── {folder} ──\n{outcome.output}")
                    err.write(f"producer: {outcome.message}\n" if outcome.exit_code else "")
                    err.flush()
                if fail_fast and outcome.exit_code:
                    for other in pending:
                        other.cancel()
    return [done.get(f) or _skipped(f) for f in folders]


def _captured(job: Job, folder: Path, options: dict[str, Any]) -> Outcome:
    """In a worker process: the job with its printout kept for the parent to show."""
    text = io.StringIO()
    outcome = _run_one(job, folder, options, text, Progress(True, text))
    return Outcome(**{**asdict(outcome), "output": text.getvalue()})


def _run_one(job: Job, folder: Path, options: dict[str, Any], out: TextIO, progress: Progress) -> Outcome:
    started = time.monotonic()

    def failed(code: int, message: str) -> Outcome:
        return Outcome(str(folder), code, "error" if code != 1 else "FAIL", round(time.monotonic() - started, 3),
                       message)

    try:
        r = job(folder, options, out, progress)
    except ProducerError as e:
        _traceback_if(options, progress)
        return failed(e.exit_code, str(e))
    except OSError as e:
        _traceback_if(options, progress)
        return failed(EnvironmentFailure.exit_code, os_error_text(e))
    except Exception:  # noqa: BLE001 - a bug in one episode's job must not hide the others' results
        return failed(EnvironmentFailure.exit_code, "internal error (please report it):\n" + traceback.format_exc())
    return Outcome(str(folder), r.exit_code, r.verdict, round(time.monotonic() - started, 3), r.line, r.integrated,
                   r.true_peak, detail=r.detail)


def _traceback_if(options: dict[str, Any], progress: Progress) -> None:
    if options.get("verbose"):  # -v: where it failed, before the one-line message
        progress.stream.write(traceback.format_exc())


def _skipped(folder: Path) -> Outcome:
    return Outcome(str(folder), 0, "skipped (--fail-fast)", 0.0, "not started: an earlier episode failed")
