"""The commands as producers type them (issue 24): a folder to check, several
episodes at once (-j N), the current folder as default, `producer status` and
`--version`. Real `producer` processes on a generated show of three episodes,
built once for the module; each test that changes anything works on a copy."""
from __future__ import annotations

import json
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

import boto3
import feedparser
import pytest

from tests import factory
from tests.conftest import run_in_child, run_producer
from tests.servers import MotoServer

SLUGS = ("ep1", "ep2", "ep3")
MEDIA = (".mp3", ".m4a", ".opus")
CHAPTERS = [("00:00", "Start", None), ("00:09", "Then", None)]


@dataclass
class Three:
    root: Path  # built with `build -j 2 ep1 ep2 ep3`
    unbuilt: Path  # the same show, never built
    build_out: str


def _three_episodes(root: Path) -> None:
    ep7 = factory.make_show(root, seconds=8, chapters=CHAPTERS, recordings=1)
    factory.add_renditions(root)
    for number, slug in enumerate(SLUGS, start=1):
        ep = root / slug
        shutil.copytree(ep7, ep)
        factory.speech_like(ep / "raw" / "host.wav", 8, 44100, 1, level_db=8 - 3 * number, seed=20 + number)
        text = (ep / "episode.toml").read_text(encoding="utf-8")
        (ep / "episode.toml").write_text(text.replace("number = 7", f"number = {number}")
                                         .replace("date = 2026-03-24", f"date = 2026-03-2{number}"), encoding="utf-8")
    shutil.rmtree(ep7)


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Three:
    root = tmp_path_factory.mktemp("three") / "show"
    _three_episodes(root)
    unbuilt = root.parent / "unbuilt"
    shutil.copytree(root, unbuilt)
    r = run_producer("build", "-j", "2", "-q", *SLUGS, cwd=root)
    assert r.code == 0, r.err
    return Three(root, unbuilt, r.out)


def _copy(three: Three, tmp_path: Path) -> Path:
    copy = tmp_path / "show"
    shutil.copytree(three.root, copy, symlinks=True)
    return copy


def test_version_is_the_installed_packages(tmp_path: Path) -> None:
    pyproject = tomllib.loads((Path(__file__).parent.parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    r = run_in_child("--version", cwd=tmp_path)  # `python -m producer` itself, once
    assert r.code == 0 and r.out.strip() == f"producer {pyproject['project']['version']}"


@pytest.mark.parametrize("args, named", [
    (["build", "episode-*/"], "episode-*/: matches nothing"),
    (["check", "m*/"], "m*/: matches no episode folder"),
    (["check", "nowhere/"], "nowhere"),
    (["publish", "music"], "music: no episode.toml here: neither"),
    (["build", "-j", "0", "ep1"], "-j 0"),
    (["check"], "no episode.toml here"),
])
def test_bad_folders_are_one_line_exit_2(tmp_path: Path, args: list[str], named: str) -> None:
    (tmp_path / "music").mkdir()
    (tmp_path / "show.toml").write_text("", encoding="utf-8")
    (tmp_path / "ep1").mkdir()
    (tmp_path / "ep1" / "episode.toml").write_text("", encoding="utf-8")
    r = run_producer(*args, cwd=tmp_path)
    assert r.code == 2 and named in r.err, r.err
    assert len(r.err.strip().splitlines()) == 1, r.err


def test_build_j2_gives_the_bytes_of_one_by_one_builds(three: Three) -> None:
    lines = three.build_out.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == list(SLUGS) and all(": built" in line for line in lines)
    for slug in SLUGS:
        r = run_producer("build", "-q", slug, cwd=three.unbuilt)
        assert r.code == 0, r.err
        for suffix in MEDIA:
            alone = (three.unbuilt / slug / "dist" / f"{slug}{suffix}").read_bytes()
            together = (three.root / slug / "dist" / f"{slug}{suffix}").read_bytes()
            assert alone == together, f"{slug}{suffix} differs when built in parallel"


def test_check_a_folder_checks_every_file_it_built(three: Three) -> None:
    built = sorted(p.name for p in (three.root / "ep1" / "dist").iterdir() if p.suffix in MEDIA)
    assert len(built) == 3
    for args, cwd in ((["ep1/"], three.root), (["ep1/dist/"], three.root), ([], three.root / "ep1")):
        r = run_producer("check", *args, cwd=cwd)
        assert r.code == 0, r.out + r.err
        passed = sorted(Path(line.split(":")[0]).name for line in r.out.splitlines() if ": PASS," in line)
        assert passed == built, r.out
        assert "✓ episode chapters: 2 chapters" in r.out  # against the episode, as --episode does


def test_one_truncated_mp3_fails_its_episode_and_not_the_others(three: Three, tmp_path: Path) -> None:
    show = _copy(three, tmp_path)
    mp3 = show / "ep2" / "dist" / "ep2.mp3"
    mp3.write_bytes(mp3.read_bytes()[: mp3.stat().st_size // 2])
    r = run_producer("check", "ep2", "ep1", cwd=show)  # the failing one first: the other still runs
    assert r.code in (1, 2), r.out + r.err
    summary = dict(line.split(": ", 1) for line in r.out.splitlines()[-2:])
    assert summary["ep1"].startswith("pass") and not summary["ep2"].startswith("pass"), r.out
    assert "ep2.mp3" in r.err
    as_json = run_producer("check", "--json", ".", cwd=show)
    rows = {row["episode"]: row for row in json.loads(as_json.out)}
    assert as_json.code == r.code and set(rows) == {"ep1", "ep2", "ep3"}
    assert [rows[s]["verdict"] for s in ("ep1", "ep3")] == ["pass", "pass"] and rows["ep2"]["exit_code"] == r.code
    assert [f["pass"] for f in rows["ep2"]["detail"]["files"]] == [False, True, True]  # the renditions are fine
    fast = run_producer("check", "--fail-fast", "ep2", "ep3", cwd=show)
    assert fast.code == r.code and "ep3: skipped" in fast.out


def _to_s3(show: Path, moto: MotoServer, bucket: str) -> None:
    s3 = boto3.client("s3", endpoint_url=moto.url, region_name="us-east-1", aws_access_key_id="AKIAPRODUCERTEST",
                      aws_secret_access_key="test-secret")
    s3.create_bucket(Bucket=bucket)
    text = (show / "show.toml").read_text(encoding="utf-8").replace(
        '[publish]\nbase_url = "https://cdn.example.test"\n',
        f'[publish]\ntarget = "s3://{bucket}/pod"\nendpoint_url = "{moto.url}"\nregion = "us-east-1"\n'
        f'base_url = "{moto.url}/{bucket}/pod"\n')
    (show / "show.toml").write_text(text, encoding="utf-8")


S3_ENV = {"AWS_ACCESS_KEY_ID": "AKIAPRODUCERTEST", "AWS_SECRET_ACCESS_KEY": "test-secret"}


def _status(show: Path, *args: str) -> dict[str, dict]:
    r = run_producer("status", "--json", *args, cwd=show, env=S3_ENV)
    assert r.code == 0, r.err
    return {row["episode"]: row for row in json.loads(r.out)}


def test_parallel_publishes_keep_every_item_and_status_follows(three: Three, tmp_path: Path,
                                                               moto: MotoServer) -> None:
    show = _copy(three, tmp_path)
    _to_s3(show, moto, "status-show")
    rows = _status(show)
    assert [(r["built"], r["stale"], r["published"]) for r in rows.values()] == [(True, False, False)] * 3, \
        "show.toml's [publish] changed (the target): no build is stale, as the build reads none of it"
    r = run_producer("publish", "-j", "2", *SLUGS, cwd=show, env=S3_ENV)
    assert r.code == 0, r.err
    s3 = boto3.client("s3", endpoint_url=moto.url, region_name="us-east-1", **{
        "aws_access_key_id": S3_ENV["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": S3_ENV["AWS_SECRET_ACCESS_KEY"]})
    feed_xml = s3.get_object(Bucket="status-show", Key="pod/feed.xml")["Body"].read()
    parsed = feedparser.parse(feed_xml)
    assert not parsed.bozo and sorted(e.itunes_episode for e in parsed.entries) == ["1", "2", "3"]
    index = s3.get_object(Bucket="status-show", Key="pod/index.html")["Body"].read().decode()
    assert all(f"episodes/{slug}/" in index for slug in SLUGS), "the site lost an episode"
    rows = _status(show)
    assert [(r["built"], r["stale"], r["published"]) for r in rows.values()] == [(True, False, True)] * 3, rows

    toml = show / "ep2" / "episode.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("Notes with a link", "New notes"), encoding="utf-8")
    s3.delete_object(Bucket="status-show", Key="pod/episodes/ep3/ep3.opus")
    rows = _status(show)
    assert {slug: r["stale"] for slug, r in rows.items()} == {"ep1": False, "ep2": True, "ep3": False}
    assert rows["ep2"]["changed"] == ["ep2/episode.toml"]
    assert {slug: r["published"] for slug, r in rows.items()} == {"ep1": True, "ep2": True, "ep3": False}
    assert rows["ep3"]["differing"] == ["episodes/ep3/ep3.opus"]
    table = run_producer("status", cwd=show / "ep1", env=S3_ENV)  # anywhere inside the show
    assert table.code == 0 and "ep2/episode.toml" in table.out and "ep3.opus" in table.out, table.out


def test_status_on_a_local_target_sees_a_changed_object(three: Three, tmp_path: Path) -> None:
    show = _copy(three, tmp_path)
    assert run_producer("publish", "-q", ".", cwd=show).code == 0
    assert all(r["published"] for r in _status(show).values())
    mp3 = show / "public" / "episodes" / "ep1" / "ep1.mp3"
    data = bytearray(mp3.read_bytes())
    data[-200] ^= 0xFF  # same size: only a checksum tells
    mp3.write_bytes(bytes(data))
    rows = _status(show)
    assert (rows["ep1"]["published"], rows["ep1"]["publication"]) == (False, "differs")
    assert rows["ep2"]["published"] and rows["ep3"]["published"]
