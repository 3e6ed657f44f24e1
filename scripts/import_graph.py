"""The picture of producer's imports: which layer imports which, and how often.

    python scripts/import_graph.py

tests/unit/test_layers.py holds the same graph to the house rules (only downward,
no circle).
"""
from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "producer"
# each layer and the layers it may import (errors and the package root are below everything)
ALLOWED = {
    "core": {"core"},
    "io": {"core", "io"},
    "stages": {"core", "io", "stages"},
    "commands": {"core", "io", "stages", "commands"},
    "runner": {"core", "io", "stages", "commands", "runner"},  # several episodes, each through a command
    "cli": {"io", "commands", "runner", "cli"},  # a package: one face per command
}
BASE = {"errors", "__init__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module of ours that `path` imports, at any depth of its code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("producer"):
                names = [f"{target}.{a.name}" for a in node.names]
                found |= {n for n in names if resolves(n)} or {target}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("producer")}
    return {m for m in found if resolves(m)}


def resolves(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in PACKAGE.rglob("*.py")}


ORDER = ["cli", "runner", "commands", "stages", "io", "core", "errors", "__init__"]


def layer_arrows() -> Counter[tuple[str, str]]:
    arrows: Counter[tuple[str, str]] = Counter()
    for module, targets in graph().items():
        for target in targets:
            arrows[(layer(module), layer(target))] += 1
    return arrows


def main() -> None:
    arrows = layer_arrows()
    for source in ORDER:
        row = [f"{target} ({arrows[(source, target)]})" for target in ORDER if arrows[(source, target)]]
        if row:
            print(f"{source:>9} → " + ", ".join(row))


if __name__ == "__main__":
    main()
