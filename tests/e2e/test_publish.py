"""`producer publish` against a real S3 endpoint over HTTP (moto's server on
127.0.0.1), checked with boto3, feedparser, podcastparser and plain HTTP GETs."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import boto3
import feedparser
import podcastparser
import pytest

from producer.core.site import site
from tests import factory
from tests.conftest import Run, run_producer
from tests.servers import FlakyProxy, MotoServer

SECRET = "pRoDuCeR-tEsT-sEcReT-0123456789abcdef"
ENV = {"AWS_ACCESS_KEY_ID": "AKIAPRODUCERTEST", "AWS_SECRET_ACCESS_KEY": SECRET,
       "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true",
       "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1"}
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
APPLE_CHANNEL = ["title", "description", "language", f"{ITUNES}image", f"{ITUNES}category", f"{ITUNES}explicit"]
APPLE_ITEM = ["title", "enclosure", "guid"]


def assert_apple_required_tags(xml: bytes) -> None:
    """Apple Podcasts' required channel and episode tags, read with the standard library."""
    import xml.etree.ElementTree as ET

    channel = ET.fromstring(xml).find("channel")
    assert channel is not None
    for tag in APPLE_CHANNEL:
        el = channel.find(tag)
        assert el is not None and ((el.text or "").strip() or el.attrib), tag
    assert channel.find(f"{ITUNES}image").get("href", "").startswith("http")
    assert channel.find(f"{ITUNES}explicit").text in ("true", "false")
    for item in channel.findall("item"):
        for tag in APPLE_ITEM:
            assert item.find(tag) is not None, tag


class Show:
    def __init__(self, root: Path, endpoint: str, bucket: str, s3) -> None:  # type: ignore[no-untyped-def]
        self.root, self.endpoint, self.bucket, self.s3 = root, endpoint, bucket, s3
        self.base_url = f"{endpoint}/{bucket}/podcast"
        self.outputs: list[str] = []

    def episode(self, slug: str) -> Path:
        return self.root / slug

    def publish(self, slug: str, *extra: str, endpoint: str | None = None) -> Run:
        env = dict(ENV)
        if endpoint:
            text = (self.root / "show.toml").read_text(encoding="utf-8")
            (self.root / "show.toml").write_text(text.replace(self.endpoint, endpoint), encoding="utf-8")
        try:
            r = run_producer("publish", str(self.episode(slug)), *extra, env=env)
        finally:
            if endpoint:
                (self.root / "show.toml").write_text(text, encoding="utf-8")
        self.outputs.append(r.out + r.err)
        return r

    def feed_bytes(self) -> bytes:
        return self.s3.get_object(Bucket=self.bucket, Key="podcast/feed.xml")["Body"].read()

    def objects(self) -> dict[str, str]:
        listing = self.s3.list_objects_v2(Bucket=self.bucket, Prefix="podcast/")
        return {o["Key"]: o["ETag"] + str(o["LastModified"]) for o in listing.get("Contents", [])}


def s3_client(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="AKIAPRODUCERTEST",
                        aws_secret_access_key=SECRET)


def add_episode(root: Path, slug: str, number: int, date: str, title: str) -> Path:
    src, dst = root / "ep7", root / slug
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("dist"))
    toml = dst / "episode.toml"
    text = toml.read_text(encoding="utf-8").replace("number = 7", f"number = {number}")
    text = text.replace("date = 2026-03-24", f"date = {date}")
    # a copied folder must not keep the guid its first publish recorded: that is the other episode's
    text = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("guid ="))
    text = text.replace('title = "Ünïcode & <XML> \\"quotes\\" episode"', f'title = "{title}"')
    toml.write_text(text, encoding="utf-8")
    return dst


@pytest.fixture(scope="module")
def built_show(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ep7 built once for the module. Where a show is uploaded ([publish]) is none of
    a build's inputs, so each test's copy, given a bucket of its own, publishes what
    was built here; a test that changes an input sees its publish build again."""
    root = tmp_path_factory.mktemp("built") / "show"
    factory.make_show(root, seconds=8, chapters=[("00:00", "Start", None), ("00:04", "Then", "https://x.test/")],
                      recordings=1)
    r = run_producer("build", str(root / "ep7"), "--quiet")
    assert r.code == 0, r.err
    return root


@pytest.fixture
def show(tmp_path: Path, moto: MotoServer, request: pytest.FixtureRequest, built_show: Path) -> Show:
    bucket = "pod-" + request.node.name.lower().replace("_", "-")[:40].strip("-")
    s3 = s3_client(moto.url)
    s3.create_bucket(Bucket=bucket)
    # listeners fetch anonymously: the bucket is public for reading, as a podcast CDN origin is
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    root = tmp_path / "show"
    shutil.copytree(built_show, root)
    text = (root / "show.toml").read_text(encoding="utf-8").replace(
        '[publish]\nbase_url = "https://cdn.example.test"\n',
        f'[publish]\ntarget = "s3://{bucket}/podcast"\nendpoint_url = "{moto.url}"\nregion = "us-east-1"\n'
        f'base_url = "{moto.url}/{bucket}/podcast"\n')
    (root / "show.toml").write_text(text, encoding="utf-8")
    return Show(root, moto.url, bucket, s3)


def assert_no_secret(show: Show) -> None:
    assert all(SECRET not in out for out in show.outputs)


def test_first_publish_puts_media_then_a_valid_feed(show: Show) -> None:
    r = show.publish("ep7")
    assert r.code == 0, r.err
    head = show.s3.head_object(Bucket=show.bucket, Key="podcast/episodes/ep7/ep7.mp3")
    mp3 = show.episode("ep7") / "dist" / "ep7.mp3"
    assert head["ContentLength"] == mp3.stat().st_size and head["ContentType"] == "audio/mpeg"
    assert "max-age" in head["CacheControl"]
    feed_head = show.s3.head_object(Bucket=show.bucket, Key="podcast/feed.xml")
    assert feed_head["ContentType"] == "application/rss+xml" and "max-age=60" in feed_head["CacheControl"]
    chapters_head = show.s3.head_object(Bucket=show.bucket, Key="podcast/episodes/ep7/chapters.json")
    assert chapters_head["ContentType"] == "application/json+chapters"

    xml = show.feed_bytes()
    parsed = feedparser.parse(xml)
    assert not parsed.bozo, parsed.bozo_exception
    assert_apple_required_tags(xml)
    assert parsed.feed.image.href == show.base_url + "/artwork.jpg"
    assert b"<podcast:guid>" in xml
    (entry,) = parsed.entries
    assert entry.title == 'Ünïcode & <XML> "quotes" episode'
    enclosure = entry.enclosures[0]
    assert int(enclosure.length) == mp3.stat().st_size and enclosure.type == "audio/mpeg"
    with urllib.request.urlopen(enclosure.href) as resp:  # the URL maps to the stored object
        body = resp.read()
        assert resp.headers["Content-Type"] == "audio/mpeg"
    assert body == mp3.read_bytes()
    assert entry.itunes_duration == "00:00:14" and entry.itunes_episode == "7"
    assert '<a href="https://example.test/notes">' in entry.description

    pp = podcastparser.parse(show.base_url + "/feed.xml", io.BytesIO(xml))
    assert pp["title"] == "Test Show & <Friends>" and len(pp["episodes"]) == 1
    ep = pp["episodes"][0]
    assert ep["enclosures"][0]["file_size"] == mp3.stat().st_size
    chapters_url = [e for e in xml.decode().split('"') if e.endswith("chapters.json")][0]
    with urllib.request.urlopen(chapters_url) as resp:
        doc = json.loads(resp.read())
    assert doc["version"] == "1.2.0" and [c["title"] for c in doc["chapters"]] == ["Start", "Then"]
    assert_no_secret(show)


def test_republish_uploads_nothing_and_keeps_one_item(show: Show) -> None:
    assert show.publish("ep7").code == 0
    before, feed_before = show.objects(), show.feed_bytes()
    r = show.publish("ep7")
    assert r.code == 0, r.err
    assert show.objects() == before and show.feed_bytes() == feed_before
    assert r.out.count("unchanged") >= 3 and "uploaded" not in r.out
    assert len(feedparser.parse(show.feed_bytes()).entries) == 1


def test_a_changed_episode_replaces_its_item(show: Show) -> None:
    assert show.publish("ep7").code == 0
    guid = feedparser.parse(show.feed_bytes()).entries[0].id
    toml = show.episode("ep7") / "episode.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('"Start"', '"A new start"'), encoding="utf-8")
    r = show.publish("ep7")
    assert r.code == 0, r.err
    assert "item replaced" in r.out and "uploaded  episodes/ep7/ep7.mp3 (changed" in r.out
    (entry,) = feedparser.parse(show.feed_bytes()).entries
    assert entry.id == guid


def test_three_processes_publishing_at_once_all_land(show: Show) -> None:
    for slug, n, date in (("ep8", 8, "2026-03-31"), ("ep9", 9, "2026-04-07")):
        add_episode(show.root, slug, n, date, f"Episode {n}")
    for slug in ("ep8", "ep9"):  # ep7 is built (built_show)
        assert run_producer("build", str(show.episode(slug)), "--quiet").code == 0
    procs = [subprocess.Popen([sys.executable, "-m", "producer", "publish", str(show.episode(s)), "--quiet"],
                              env={**__import__("os").environ, **ENV}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for s in ("ep7", "ep8", "ep9")]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], results
    entries = feedparser.parse(show.feed_bytes()).entries
    assert sorted(e.itunes_episode for e in entries) == ["7", "8", "9"]
    assert [e.itunes_episode for e in entries] == ["9", "8", "7"]  # newest first


FOREIGN = b"<item><title>Written by someone else</title><guid>other-1</guid></item>"


def ep8_ready(show: Show) -> None:
    """ep7 published, ep8 built: the second publish is the one raced."""
    assert show.publish("ep7").code == 0
    add_episode(show.root, "ep8", 8, "2026-03-31", "Episode 8")
    assert run_producer("build", str(show.episode("ep8")), "--quiet").code == 0


def publish_ep8_in_process(show: Show, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """publish ep8 here (where the test's patches apply); the feed it leaves."""
    from producer.commands import publish
    from producer.io.progress import Progress

    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    line = publish.publish(show.episode("ep8"), Progress(quiet=True, stream=io.StringIO()), out=io.StringIO())
    assert line.startswith("published ep8 to s3://") and "(item added, 3 items)" in line
    return show.feed_bytes()


def test_a_conflicting_write_is_reread_and_retried(show: Show, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another producer writes the feed between our read and our conditional write."""
    ep8_ready(show)
    from producer.io import storage

    real_read = storage.S3Storage.read
    calls = {"n": 0}

    def racing_read(self, key):  # type: ignore[no-untyped-def]
        data = real_read(self, key)
        calls["n"] += 1
        if key == "feed.xml" and calls["n"] == 1 and data is not None:
            other = data[0].replace(b"</channel>", FOREIGN + b"</channel>")
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=other)
        return data

    monkeypatch.setattr(storage.S3Storage, "read", racing_read)
    xml = publish_ep8_in_process(show, monkeypatch)
    assert calls["n"] >= 2 and FOREIGN in xml
    assert sorted(e.itunes_episode for e in feedparser.parse(xml).entries if "itunes_episode" in e) == ["7", "8"]


def test_a_service_that_ignores_if_match_loses_no_update(show: Show, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another producer read the feed before our write and its write lands after
    ours, unconditionally (the service ignored If-Match): the read-back finds our
    item gone and merges it again onto their feed."""
    ep8_ready(show)
    from producer.io import storage

    real_write = storage.S3Storage.write_if
    writes = {"n": 0}

    def rival_lands_after_ours(self, key, data, *rest):  # type: ignore[no-untyped-def]
        stale = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        tag = real_write(self, key, data, *rest)
        writes["n"] += 1
        if writes["n"] == 1:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key),
                                   Body=stale.replace(b"</channel>", FOREIGN + b"</channel>"))
        return tag

    monkeypatch.setattr(storage.S3Storage, "write_if", rival_lands_after_ours)
    xml = publish_ep8_in_process(show, monkeypatch)
    assert writes["n"] == 2 and FOREIGN in xml
    assert sorted(e.itunes_episode for e in feedparser.parse(xml).entries if "itunes_episode" in e) == ["7", "8"]


def test_foreign_items_are_kept_byte_for_byte(show: Show) -> None:
    foreign = ('<item xmlns:dc="http://purl.org/dc/elements/1.1/">\n\t<title><![CDATA[Old & hand-made]]></title>'
               '<dc:creator>Someone</dc:creator><guid isPermaLink="true">https://old.test/1</guid>'
               '<pubDate>Mon, 01 Jan 2024 10:00:00 GMT</pubDate>'
               '<enclosure url="https://old.test/1.mp3" length="123" type="audio/mpeg"/><x:odd xmlns:x="urn:x">'
               'keep  me</x:odd></item>')
    seeded = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:itunes='
              '"http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>Old title</title>'
              f'<copyright>© someone</copyright>{foreign}</channel></rss>').encode()
    show.s3.put_object(Bucket=show.bucket, Key="podcast/feed.xml", Body=seeded)
    assert show.publish("ep7").code == 0
    xml = show.feed_bytes()
    assert foreign.encode() in xml and "<copyright>© someone</copyright>".encode() in xml
    parsed = feedparser.parse(xml)
    assert not parsed.bozo and parsed.feed.title == "Test Show & <Friends>"
    assert [e.id for e in parsed.entries][1] == "https://old.test/1"  # ours (2026) first
    index = show.s3.get_object(Bucket=show.bucket, Key="podcast/index.html")["Body"].read().decode()
    assert index.index("quotes") < index.index("Old &amp; hand-made")  # newest first, the kept item too
    assert 'src="https://old.test/1.mp3"' in show.s3.get_object(
        Bucket=show.bucket, Key=f"podcast/{site.page_key(site.read_feed(xml)[1][1], show.base_url)}")[
        "Body"].read().decode()


def test_the_website_goes_up_with_types_and_short_caching(show: Show) -> None:
    assert show.publish("ep7").code == 0
    for key in ("podcast/index.html", "podcast/episodes/ep7/index.html", "podcast/episodes/ep7/report.html"):
        head = show.s3.head_object(Bucket=show.bucket, Key=key)
        assert head["ContentType"] == "text/html; charset=utf-8" and head["CacheControl"] == "public, max-age=300"
    page = show.s3.get_object(Bucket=show.bucket, Key="podcast/episodes/ep7/index.html")["Body"].read().decode()
    assert 'src="ep7.mp3"' in page and 'data-start="4.000"' in page and "https://x.test/" in page
    before = show.objects()
    again = show.publish("ep7")
    assert again.code == 0 and "website: 0 pages written" in again.out
    assert show.objects() == before


def test_a_feed_with_a_dtd_is_refused(show: Show) -> None:
    evil = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<rss version=\"2.0\"><channel><title>&x;</title></channel></rss>")
    show.s3.put_object(Bucket=show.bucket, Key="podcast/feed.xml", Body=evil)
    r = show.publish("ep7")
    assert r.code == 2 and "feed.xml" in r.err and "Traceback" not in r.err
    assert show.feed_bytes() == evil


def test_transient_failures_are_retried(show: Show) -> None:
    proxy = FlakyProxy(show.endpoint, failures=3)
    try:
        r = show.publish("ep7", endpoint=proxy.url)
    finally:
        proxy.stop()
    assert r.code == 0, r.err
    assert proxy.seen > 4 and proxy.dropped
    assert len(feedparser.parse(show.feed_bytes()).entries) == 1


def test_dry_run_changes_nothing(show: Show) -> None:
    r = show.publish("ep7", "--dry-run")  # ep7 is built (built_show)
    assert r.code == 0, r.err
    assert "new       episodes/ep7/ep7.mp3" in r.out and "feed.xml: would be created" in r.out
    assert show.objects() == {}
    assert show.publish("ep7").code == 0
    before = show.objects()
    r = show.publish("ep7", "--dry-run")
    assert "unchanged episodes/ep7/ep7.mp3" in r.out and "item would be unchanged" in r.out
    assert show.objects() == before


def test_unreachable_endpoint_and_missing_bucket_exit_3(show: Show) -> None:
    from tests.servers import free_port

    dead = f"http://127.0.0.1:{free_port()}"
    r = show.publish("ep7", endpoint=dead)
    assert r.code == 3 and dead in r.err and show.bucket in r.err and "Traceback" not in r.err
    r = run_producer("publish", str(show.episode("ep7")), "--target", "s3://no-such-bucket-here/x", env=ENV)
    assert r.code == 3 and "no-such-bucket-here" in r.err and "does not exist" in r.err
    show.outputs.append(r.out + r.err)
    assert_no_secret(show)


def test_local_folder_target_is_a_static_site(tmp_path: Path) -> None:
    root = tmp_path / "show"
    factory.make_show(root, seconds=8, chapters=[("00:00", "Start", None)], recordings=1)
    add_episode(root, "ep8", 8, "2026-03-31", "Episode 8")
    for slug in ("ep7", "ep8"):
        assert run_producer("build", str(root / slug), "--quiet").code == 0
    procs = [subprocess.Popen([sys.executable, "-m", "producer", "publish", str(root / s), "--quiet"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for s in ("ep7", "ep8")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    public = root / "public"
    parsed = feedparser.parse((public / "feed.xml").read_bytes())
    assert sorted(e.itunes_episode for e in parsed.entries) == ["7", "8"]
    enclosure = parsed.entries[0].enclosures[0]
    assert enclosure.href == "https://cdn.example.test/episodes/ep8/ep8.mp3"
    assert (public / "episodes/ep8/ep8.mp3").stat().st_size == int(enclosure.length)
    assert not list(public.rglob(".tmp-*"))


def test_large_files_go_multipart_and_are_verified_by_the_services_sha256(moto: MotoServer, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import base64
    import hashlib

    from producer.io import files, storage

    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    s3_client(moto.url).create_bucket(Bucket="pod-multipart")
    big = tmp_path / "big.mp3"
    big.write_bytes(bytes(range(256)) * (20 * 4096 + 7))  # just over 20 MiB: three parts
    target = storage.S3Storage("pod-multipart", "p", moto.url, "us-east-1", None)
    info = target.upload("big.mp3", big, "audio/mpeg", "public, max-age=60", files.sha256(big))
    assert info.etag is not None and info.etag.strip('"').endswith("-3")
    data = big.read_bytes()
    part = 8 << 20
    parts = [hashlib.sha256(data[i:i + part]).digest() for i in range(0, len(data), part)]
    composite = base64.b64encode(hashlib.sha256(b"".join(parts)).digest()).decode()
    head = s3_client(moto.url).head_object(Bucket="pod-multipart", Key="p/big.mp3", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"].split("-")[0] == composite == info.checksum_sha256.split("-")[0]
    assert head["ContentType"] == "audio/mpeg" and head["ContentLength"] == big.stat().st_size


def test_a_service_without_checksums_or_md5_etags_is_verified_by_size_and_stored_sha256(show: Show) -> None:
    proxy = FlakyProxy(show.endpoint, failures=0, plain=True)
    try:
        r = show.publish("ep7", endpoint=proxy.url)
    finally:
        proxy.stop()
    assert r.code == 0, r.err
    assert r.out.count("verified") >= 3
    mp3 = show.episode("ep7") / "dist" / "ep7.mp3"
    body = show.s3.get_object(Bucket=show.bucket, Key="podcast/episodes/ep7/ep7.mp3")["Body"].read()
    assert body == mp3.read_bytes()
    head = show.s3.head_object(Bucket=show.bucket, Key="podcast/episodes/ep7/ep7.mp3", ChecksumMode="ENABLED")
    assert "ChecksumSHA256" not in head, "the proxy was to hide additional checksums from the service"


@pytest.mark.parametrize("plain", [False, True], ids=["checksums", "size-and-sha256"])
def test_an_object_cut_on_the_way_fails_the_publish(show: Show, plain: bool) -> None:
    proxy = FlakyProxy(show.endpoint, failures=0, plain=plain, cut_puts=7)
    try:
        r = show.publish("ep7", endpoint=proxy.url)
    finally:
        proxy.stop()
    assert r.code == 3, r.out + r.err
    (error,) = [ln for ln in r.err.splitlines() if ln.startswith("producer: ") and "warning" not in ln]
    assert "ep7" in error and "after upload" in error and "Traceback" not in r.err
    with pytest.raises(show.s3.exceptions.ClientError):
        show.s3.head_object(Bucket=show.bucket, Key="podcast/feed.xml")


def test_episode_artwork_and_chapter_images_are_uploaded_and_linked(tmp_path: Path) -> None:
    root = tmp_path / "show"
    ep = factory.make_show(root, seconds=8, chapters=[("00:00", "Start", None)], recordings=1)
    factory.cover(ep / "cover.png", (1400, 1400), "RGB", "PNG")
    factory.cover(ep / "start.jpg", (640, 360), "RGB", "JPEG")
    toml = ep / "episode.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'recordings = ["raw/host.wav"]', 'recordings = ["raw/host.wav"]\nartwork = "cover.png"\nseason = 2\n'
        'episode_type = "bonus"') + 'image = "start.jpg"\n', encoding="utf-8")
    r = run_producer("publish", str(ep), "--quiet")
    assert r.code == 0, r.err
    public = root / "public"
    assert (public / "episodes/ep7/cover.png").read_bytes() == (ep / "cover.png").read_bytes()
    (entry,) = feedparser.parse((public / "feed.xml").read_bytes()).entries
    assert entry.image.href == "https://cdn.example.test/episodes/ep7/cover.png"
    assert entry.itunes_season == "2" and entry.itunes_episodetype == "bonus"
    doc = json.loads((public / "episodes/ep7/chapters.json").read_text(encoding="utf-8"))
    assert doc["chapters"][0]["img"] == "https://cdn.example.test/episodes/ep7/chapter-0.jpg"
    assert (public / "episodes/ep7/chapter-0.jpg").read_bytes() == (ep / "start.jpg").read_bytes()
    assert "img" not in json.loads((ep / "dist" / "chapters.json").read_text(encoding="utf-8"))["chapters"][0]


def test_a_wrong_secret_is_refused_with_exit_3_and_never_printed(tmp_path: Path) -> None:
    """moto enforcing credentials: its first four calls make an IAM user, a policy,
    the attachment and a key; from then on every request is checked."""
    server = MotoServer(env={"INITIAL_NO_AUTH_ACTION_COUNT": "4"})
    try:
        iam = boto3.client("iam", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="AKIASETUP",
                           aws_secret_access_key="setup")
        iam.create_user(UserName="producer")
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
        arn = iam.create_policy(PolicyName="s3", PolicyDocument=json.dumps(policy))["Policy"]["Arn"]
        iam.attach_user_policy(UserName="producer", PolicyArn=arn)
        key = iam.create_access_key(UserName="producer")["AccessKey"]
        boto3.client("s3", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id=key["AccessKeyId"],
                     aws_secret_access_key=key["SecretAccessKey"]).create_bucket(Bucket="pod-auth")
        root = tmp_path / "show"
        ep = factory.make_show(root, seconds=8, chapters=[("00:00", "Start", None)], recordings=1)
        text = (root / "show.toml").read_text(encoding="utf-8").replace(
            "[publish]\n", f'[publish]\ntarget = "s3://pod-auth/podcast"\nendpoint_url = "{server.url}"\n')
        (root / "show.toml").write_text(text, encoding="utf-8")
        wrong = key["SecretAccessKey"][::-1]
        env = {**ENV, "AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": wrong}
        r = run_producer("publish", str(ep), env=env)
        assert r.code == 3, r.out + r.err
        (error,) = [ln for ln in r.err.splitlines() if ln.startswith("producer: ") and "warning" not in ln]
        assert server.url in error and "pod-auth" in error and "secret key does not match" in error
        assert wrong not in r.out + r.err and key["SecretAccessKey"] not in r.out + r.err
        env["AWS_SECRET_ACCESS_KEY"] = key["SecretAccessKey"]
        r = run_producer("publish", str(ep), env=env)
        assert r.code == 0, r.err  # the same show with the right secret: it was the secret
    finally:
        server.stop()
