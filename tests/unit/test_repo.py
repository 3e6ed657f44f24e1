"""The clone itself (issue 19, items 6–7): what the README and the tests name
exists, each dependency is declared where it is used, and a show's per-episode
Make targets need ffmpeg and the package alone."""
from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


DOCS_FOR_MAKE = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def makefile_targets() -> tuple[set[str], list[str]]:
    """Plain targets and the prefixes of pattern rules (`build-%` → `build-`)."""
    names, patterns = set(), []
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.%$()/-]+):(?!=)", line)
        if m and not line.startswith("\t"):
            target = m.group(1)
            if "%" in target:
                patterns.append(target.split("%")[0])
            else:
                names.add(target)
    return names, patterns


def test_every_make_target_the_readme_and_tests_name_exists() -> None:
    names, patterns = makefile_targets()
    texts = [*DOCS_FOR_MAKE, *sorted(p for p in (ROOT / "tests").rglob("*.py") if p.name != "test_repo.py"),
             ROOT / ".ci" / "run"]
    # a command as written in code: `make x`, a line starting "make x", or "(make x)"
    named = {m for path in texts for m in re.findall(r"(?:`|^|\()make (?:-\S+ )*(?:[A-Z]+=\S+ )*([a-z][a-z0-9-]*)",
                                                      path.read_text(encoding="utf-8"), re.M)}
    unknown = sorted(n for n in named if n not in names and not any(n.startswith(p) for p in patterns))
    assert not unknown, unknown
    assert {"demo", "test", "bench"} <= names


DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def anchors(markdown: Path) -> set[str]:
    """GitHub's anchor for every heading of a Markdown file."""
    heads = re.findall(r"^#+ (.+)$", markdown.read_text(encoding="utf-8"), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in heads}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_and_file_a_document_names_is_in_the_clone(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    assert "../shared" not in text, "the documents may not send a reader outside the repository"
    missing = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):  # links: relative to the document, anchors resolved
        if target.startswith(("http://", "https://")):
            continue
        path, _, anchor = target.partition("#")
        file = (doc.parent / path).resolve() if path else doc
        if not file.exists():
            missing.append(target)
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            missing.append(target)
    # paths in code spans are the repository's own
    for name in re.findall(r"`((?:producer|scripts|bench|docs|tests|presets|sample_media)/[\w./-]*\w)`", text):
        if not ((ROOT / name).exists() or (ROOT / f"{name}.py").exists()):
            missing.append(name)
    assert not missing, missing


def test_the_readme_is_short_and_links_its_documents() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text) <= 10_000, len(text)
    linked = {(ROOT / t.partition("#")[0]).resolve() for t in re.findall(r"\]\((docs/[^)\s]+)\)", text)}
    assert {d.resolve() for d in DOCS[1:]} <= linked, "every document is reachable from the README"


def test_no_large_file_is_tracked() -> None:
    """Nothing over 1 MB outside sample_media/ and docs/ images (a wheel was once committed)."""
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True).stdout
    large = [name for name in tracked.decode().split("\0") if name and (ROOT / name).is_file()
             and (ROOT / name).stat().st_size > 1 << 20 and not name.startswith(("sample_media/", "docs/"))]
    assert not large, large


def test_dependencies_are_declared_where_they_are_used() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = " ".join(project["dependencies"]).lower()
    extras = {k: " ".join(v).lower() for k, v in project["optional-dependencies"].items()}
    assert "pydub" not in runtime and "pydub" in extras["sample"], "pydub serves only the sample show's script"
    assert "pyyaml" in extras["test"], "a test reads YAML: it must not be able to skip for want of it"
    importers = [p for p in ROOT.glob("producer/**/*.py") if re.search(r"^\s*(from|import) pydub", p.read_text(
        encoding="utf-8"), re.M)]
    assert not importers, importers


def test_a_shows_episode_targets_need_ffmpeg_and_the_package_alone(tmp_path: Path) -> None:
    plan = subprocess.run(["make", "-n", "-B", "-C", str(ROOT), f"VENV={tmp_path / 'venv'}", "SHOW=somewhere",
                           "build-ep1", "check-ep1", "publish-ep1"], capture_output=True, text=True, check=True).stdout
    assert "ffmpeg" in plan and "producer build --if-stale somewhere/ep1" in plan
    for tool in ("chromium", "chromedriver", "espeak", "curl", "[test", "selenium"):
        assert tool not in plan, (tool, plan)


@pytest.mark.parametrize("target", ["test"])
def test_the_test_target_installs_what_the_tests_need(target: str, tmp_path: Path) -> None:
    plan = subprocess.run(["make", "-n", "-B", "-C", str(ROOT), f"VENV={tmp_path / 'venv'}", target],
                          capture_output=True, text=True, check=True).stdout
    for tool in ("ffmpeg", "espeak-ng", "chromium", "chromedriver", "curl", "[test"):
        assert tool in plan, (tool, plan)
