"""Defects found on held-out shows (issue 19), each held to a yardstick the code
under test does not share: `producer check` in its own process for what the
build ships, ffprobe for chapter starts, the target's own files (a folder
read directly, S3 fetched over plain HTTP) for every URL the feed names."""
from __future__ import annotations

import shutil
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests import factory
from tests.conftest import run_producer
from tests.servers import MotoServer

pytestmark = pytest.mark.slow  # long builds: tens of seconds each

RATE = 44100
CHAPTERS = [("00:00", "Intro", None), ("00:05.250", "Two", None), ("00:10.500", factory.LONG_TITLE, None)]


@pytest.fixture(scope="module")
def voices() -> tuple[factory.Conversation, dict[str, np.ndarray]]:
    return factory.conversation(RATE)


def unbalanced_show(root: Path, voices: tuple[factory.Conversation, dict[str, np.ndarray]], apart_db: float,
                    layout: str, leveler: str) -> Path:
    """Two espeak voices `apart_db` apart, in one recording or on two tracks (each with a
    little of the other's bleed), over a quiet noise floor."""
    conv, v = voices
    ep = factory.make_show(root, seconds=10, chapters=CHAPTERS, recordings=1)
    host = factory.at_lufs(v["host"], RATE, -20)
    guest = factory.at_lufs(v["guest"], RATE, -20 - apart_db)
    floor = factory.noise(conv.seconds, RATE, -62, seed=4)[: len(host)]
    if layout == "one":
        factory.write_wav(ep / "raw" / "host.wav", host + guest + floor, RATE)
        names = ["raw/host.wav"]
    else:
        factory.write_wav(ep / "raw" / "host.wav", host + 0.05 * guest + floor, RATE)
        factory.write_wav(ep / "raw" / "guest.wav", guest + 0.05 * host + floor, RATE)
        names = ["raw/host.wav", "raw/guest.wav"]
    (ep / "episode.toml").write_text(factory.episode_toml(names, CHAPTERS, extra=f'leveler = "{leveler}"'),
                                     encoding="utf-8")
    return ep


@pytest.mark.parametrize("layout,apart_db,leveler", [("one", 12, "adaptive"), ("two", 12, "adaptive"),
                                                     ("one", 14, "off")])
def test_a_build_never_ships_what_its_own_check_fails(tmp_path: Path, voices, layout: str, apart_db: float,
                                                      leveler: str) -> None:
    ep = unbalanced_show(tmp_path / "show", voices, apart_db, layout, leveler)
    built = run_producer("build", str(ep), "--quiet")
    if built.code == 0:
        checked = run_producer("check", str(ep / "dist" / "ep7.mp3"), "--episode", str(ep))
        assert checked.code == 0, checked.out
    else:
        assert built.code == 1 and "speech balance" in built.err and "LU spread" in built.err, built.err
        assert not (ep / "dist").exists() and "Traceback" not in built.err
    if leveler == "off":  # 14 LU between the voices and nothing to close it: it ships, and check warns
        assert built.code == 0, built.err
        warned = run_producer("check", str(ep / "dist" / "ep7.mp3"))
        assert warned.code == 0 and "! speech balance" in warned.out, warned.out


# ---------------------------------------------------------------- one episode with every file, published

@pytest.fixture(scope="module")
def full_show(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Renditions, a hand transcript, an episode cover, a chapter image and a guest's photo."""
    root = tmp_path_factory.mktemp("full") / "show"
    ep = factory.make_show(root, seconds=12, chapters=CHAPTERS, recordings=1)
    factory.add_renditions(root)
    factory.cover(ep / "cover.jpg", (1500, 1500))
    Image.new("RGB", (400, 300), (10, 200, 30)).save(ep / "photo.png", "PNG")
    Image.new("RGB", (640, 360), (90, 20, 130)).save(ep / "slide.jpg", "JPEG")
    (ep / "ep7.vtt").write_text("WEBVTT\n\n00:00:01.000 --> 00:00:03.500\n<v Host>Welcome to the show.\n\n"
                                "00:00:05.000 --> 00:00:07.000\n<v Guest>Thanks for having me.\n", encoding="utf-8")
    text = (ep / "episode.toml").read_text(encoding="utf-8")
    text = text.replace("recordings =", 'artwork = "cover.jpg"\ntranscript = "ep7.vtt"\nrecordings =', 1)
    text = text.replace('title = "Two"\n', 'title = "Two"\nimage = "slide.jpg"\n', 1)
    text += '\n[[persons]]\nname = "Guest"\nrole = "guest"\nimg = "photo.png"\n'
    (ep / "episode.toml").write_text(text, encoding="utf-8")
    return ep


def feed_urls(xml: bytes) -> set[str]:
    """Every URL-valued attribute anywhere in the channel (enclosures, alternate sources,
    chapters, transcripts, images, persons), read with ElementTree."""
    found = set()
    for el in ET.fromstring(xml).iter():
        for name in ("url", "href", "uri", "img"):
            value = el.get(name)
            if value and value.startswith("http"):
                found.add(value)
    return found


def test_every_url_the_feed_names_is_a_file_of_the_local_target(full_show: Path) -> None:
    r = run_producer("publish", str(full_show), "--quiet")
    assert r.code == 0, r.err
    public = full_show.parent / "public"
    urls = {u for u in feed_urls((public / "feed.xml").read_bytes()) if u.startswith("https://cdn.example.test/")}
    kinds = {u.rsplit(".", 1)[-1] for u in urls}
    assert {"mp3", "m4a", "opus", "json", "vtt", "srt", "jpg", "png", "xml"} <= kinds, kinds
    missing = [u for u in urls if not (public / u.removeprefix("https://cdn.example.test/")).is_file()]
    assert not missing
    lint = run_producer("lint", cwd=full_show.parent)
    assert lint.code == 0, lint.out + lint.err


def test_a_deleted_transcript_file_in_dist_rebuilds_on_publish(full_show: Path) -> None:
    assert run_producer("publish", str(full_show), "--quiet").code == 0
    for name in ("ep7.vtt", "ep7.srt", "transcript.json"):
        (full_show / "dist" / name).unlink()
        r = run_producer("publish", str(full_show), "--quiet")
        assert r.code == 0, r.err
        assert (full_show / "dist" / name).is_file()


def test_every_url_the_feed_names_resolves_over_http_on_s3(full_show: Path, moto: MotoServer,
                                                          tmp_path: Path) -> None:
    import boto3

    s3 = boto3.client("s3", endpoint_url=moto.url, region_name="us-east-1", aws_access_key_id="AKIATEST",
                      aws_secret_access_key="x")
    s3.create_bucket(Bucket="heldout")
    s3.put_bucket_policy(Bucket="heldout", Policy='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
                         '"Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::heldout/*"}]}')
    root = tmp_path / "show"
    shutil.copytree(full_show.parent, root, ignore=shutil.ignore_patterns("public"))
    base = f"{moto.url}/heldout/pod"
    text = (root / "show.toml").read_text(encoding="utf-8").replace(
        'base_url = "https://cdn.example.test"',
        f'target = "s3://heldout/pod"\nendpoint_url = "{moto.url}"\nregion = "us-east-1"\nbase_url = "{base}"')
    (root / "show.toml").write_text(text, encoding="utf-8")
    env = {"AWS_ACCESS_KEY_ID": "AKIATEST", "AWS_SECRET_ACCESS_KEY": "x"}
    r = run_producer("publish", str(root / "ep7"), "--quiet", env=env)
    assert r.code == 0, r.err
    with urllib.request.urlopen(f"{base}/feed.xml", timeout=10) as feed:
        urls = {u for u in feed_urls(feed.read()) if u.startswith(base)}
    assert len(urls) >= 10, urls
    failed = {}
    for url in sorted(urls):  # anonymously, as a listener's app fetches them
        try:
            with urllib.request.urlopen(url, timeout=10) as got:
                got.read(1)
        except urllib.error.HTTPError as e:
            failed[url] = e.code
    assert not failed, failed
