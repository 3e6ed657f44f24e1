from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from producer import cli
from tests import factory
from tests.servers import MotoServer


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_producer(*args: str, env: dict | None = None, cwd: Path | None = None) -> Run:
    """The real command line: producer.cli.main (its parser, its mapping of errors to
    one line and an exit code), with the given environment, folder and streams, in
    this process. The suite runs ~270 commands; a fresh interpreter for each cost
    0.6-0.9 s of imports and model loading, a third of the suite's CPU. A test whose
    point is a process of its own (a signal, a file size limit, commands racing each
    other, what a command imports) starts one (run_in_child, or Popen)."""
    out, err = io.StringIO(), io.StringIO()
    with _environment(env, cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(args))
        except SystemExit as e:  # argparse's usage errors, --help and --version
            code = e.code if isinstance(e.code, int) else int(e.code is not None)
        except Exception:  # noqa: BLE001 - what the interpreter would print and exit 1 with
            traceback.print_exc()
            code = 1
    return Run(code, out.getvalue(), err.getvalue())


def run_in_child(*args: str, env: dict | None = None, cwd: Path | None = None) -> Run:
    """The command line in a child process, as a user or CI starts it."""
    full_env = {**os.environ, **(env or {})}
    p = subprocess.run([sys.executable, "-m", "producer", *args], capture_output=True, text=True,
                       env=full_env, cwd=cwd)
    return Run(p.returncode, p.stdout, p.stderr)


@contextlib.contextmanager
def _environment(env: dict | None, cwd: Path | None) -> Iterator[None]:
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    os.environ.update(env or {})
    if cwd is not None:
        os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


@dataclass
class Built:
    show: Path
    episode: Path
    mp3: Path


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """One episode built once for the whole session; tests only read it."""
    root = tmp_path_factory.mktemp("show")
    ep = factory.make_show(root)
    r = run_producer("build", str(ep), "--quiet")
    assert r.code == 0, r.err
    return Built(root, ep, ep / "dist" / "ep7.mp3")


# The files that take longest, longest first (pytest --durations, 2 workers): under
# `--dist loadfile --no-loadscope-reorder` (make test) a worker takes a whole file in this
# order, so a long file left for last keeps one worker busy while the other waits;
# started first, the short ones fill in. test_memory first: one test of 25 s.
LONGEST_FIRST = ("test_memory", "test_level", "test_speech_map", "test_cleanup", "test_first_week",
                 "test_episodes_cli", "test_cutting", "test_publish", "test_held_out", "test_check", "test_recognise",
                 "test_video", "test_renditions", "test_estimate", "test_presets", "test_chapter_suggestions")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that takes the Chromium fixture is a browser test, wherever it lives;
    the longest files run first (each file's own order kept)."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))  # stable: a file's tests stay in order


@pytest.fixture(scope="session")
def moto() -> Iterator[MotoServer]:
    """One S3-compatible server on loopback (moto in server mode) for the session
    (a worker's, under xdist); each test makes buckets of its own names."""
    server = MotoServer()
    yield server
    server.stop()
