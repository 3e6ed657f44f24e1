"""The house rules, read from the source: core imports nothing of ours but core
and errors, io only core, stages only io and core, commands anything below;
imports run downward only and nothing imports in a circle."""
from __future__ import annotations

import ast
from pathlib import Path

from scripts.import_graph import ALLOWED, BASE, PACKAGE, graph, layer

def test_every_import_runs_downward() -> None:
    wrong = []
    for module, targets in graph().items():
        own = layer(module)
        if own in BASE or own == "__main__":
            continue
        for target in targets:
            if layer(target) not in ALLOWED[own] | BASE:
                wrong.append(f"{module} → {target}")
    assert not wrong, wrong


def test_no_import_circle() -> None:
    g = graph()
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(g.get(node, ())):
            if nxt == node or nxt not in g:
                continue
            assert state.get(nxt) != 1, " → ".join(path + [nxt])
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for module in sorted(g):
        if module not in state:
            visit(module, [module])


def test_the_checker_sees_a_wrong_import(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The yardstick itself: a core module importing io is caught (in a copy of the
    package: nothing is written into producer/ while the suite runs)."""
    import shutil

    from scripts import import_graph

    copy = tmp_path / "producer"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "core" / "_layer_probe.py").write_text("from ..io import ffmpeg\n", encoding="utf-8")
    monkeypatch.setattr(import_graph, "PACKAGE", copy)
    wrong = [f"{m} → {t}" for m, ts in import_graph.graph().items() for t in ts
             if layer(m) == "core" and layer(t) not in ALLOWED["core"] | BASE]
    assert wrong == ["producer.core._layer_probe → producer.io.ffmpeg"]
    assert not (PACKAGE / "core" / "_layer_probe.py").exists()


def test_every_error_class_lives_in_errors_py() -> None:
    stray = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    getattr(b, "id", getattr(b, "attr", "")).endswith(("Error", "Exception", "Failure", "Failed"))
                    for b in node.bases):
                stray.append(f"{path.name}: {node.name}")
    assert not stray, stray
