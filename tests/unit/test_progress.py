from __future__ import annotations

import io

from producer.io.progress import Progress


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    stage = Progress(stream=out).stage("render", 100.0)
    for pos in range(0, 101, 5):
        stage.update(pos)
    stage.done("ok")
    lines = out.getvalue().splitlines()
    assert lines[0] == "render: started (00:01:40 of audio)"
    assert lines[-1].startswith("render: done in") and lines[-1].endswith("; ok")
    assert "\r" not in out.getvalue() and len(lines) == 5


def test_a_bar_with_time_left_on_a_terminal(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("CI", raising=False)
    out = Tty()
    stage = Progress(stream=out).stage("measure", 3600.0)
    stage.update(1800.0)
    assert "\rmeasure" in out.getvalue() and "00:30:00 / 01:00:00" in out.getvalue() and "left" in out.getvalue()


def test_quiet_prints_warnings_only_even_on_a_terminal(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("CI", raising=False)
    out = Tty()
    progress = Progress(quiet=True, stream=out)
    progress.stage("verify", 10.0).done()
    progress.warn("base_url is not set")
    assert out.getvalue() == "producer: warning: base_url is not set\n"

