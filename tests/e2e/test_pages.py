"""The pages a producer looks at: the report page of a build and of `check --html`,
the loudness curves it draws (held to ffmpeg's own ebur128 meter), and the
website publish writes from the feed (on a folder here; on S3 in test_site_s3)."""
from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from producer.core.site import report_page, site
from producer.core.audio.loudness import Curve, Loudness, Meter
from producer.core.episode.verdicts import Verdict
from tests import factory
from tests.conftest import Built, run_producer

RATE = 48000


class Tags(HTMLParser):
    """Every start tag with its attributes, to read pages without our own code."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def ebur128_frames(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t, M, S) every 100 ms as ffmpeg's ebur128 filter logs them."""
    p = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128",
                        "-f", "null", "-"], capture_output=True, text=True, check=True)
    rows = re.findall(r"t:\s*([\d.]+)\s+TARGET:\S+\s+LUFS\s+M:\s*(-?[\d.]+|nan|-inf)\s+S:\s*(-?[\d.]+|nan|-inf)",
                      p.stderr)
    t, m, s = (np.array([float(r[i]) for r in rows]) for i in range(3))
    return t, m, s


def test_the_loudness_curve_follows_ffmpegs_meter(tmp_path: Path) -> None:
    """Momentary and short-term loudness over a quiet, a loud and a quiet stretch,
    against ebur128's framelog at the same instants (where the 3 s window is whole)."""
    rng = np.random.default_rng(1)
    parts = [rng.normal(0, a, int(RATE * s)) for a, s in ((0.01, 6), (0.2, 6), (0.03, 6))]
    x = np.concatenate(parts).astype(np.float32)
    wav = factory.write_wav(tmp_path / "steps.wav", x, RATE)
    meter = Meter(RATE, 1)
    for start in range(0, len(x), RATE):
        meter.add(x[start:start + RATE, None])
    curve = meter.result().curve
    assert curve is not None
    t, m, s = ebur128_frames(wav)
    ours_t = (np.arange(len(curve.short_term)) + 1) * curve.step_s
    for at in (4.0, 5.0, 8.0, 10.0, 11.9, 15.0, 17.5):
        i, j = int(np.argmin(abs(t - at))), int(np.argmin(abs(ours_t - at)))
        assert abs(t[i] - ours_t[j]) < 0.051
        assert curve.short_term[j] == pytest.approx(s[i], abs=0.2), at
        assert curve.momentary[j] == pytest.approx(m[i], abs=0.2), at
    assert len(curve.peaks) == 18 and curve.peaks[7] > curve.peaks[2] + 20  # a sample peak a second


def test_a_build_writes_a_self_contained_report_page(built: Built) -> None:
    html = (built.episode / "dist" / "report.html").read_text(encoding="utf-8")
    tags = Tags(html)
    # self-contained: nothing fetched from anywhere, no script
    assert not tags.all("script") and not tags.all("img")
    assert all((a.get("href") or "").startswith("data:") for a in tags.all("link"))
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    svgs = tags.all("svg")
    assert len(svgs) >= 2  # loudness over time; the leveler's gains
    for needed in ("out-short", "out-mom", "out-peak", "in-short"):
        assert tags.all("polyline") + tags.all("polygon"), needed
        assert any(a.get("class") == needed for a in tags.all("polyline") + tags.all("polygon")), needed
    first_plot = html.split("</svg>")[0]
    assert first_plot.count('<g class="chapter">') == len(factory.CHAPTERS)
    report = __import__("json").loads((built.episode / "dist" / "report.json").read_text())
    assert f"{report['output']['integrated']:.2f} LUFS" in html
    assert "PASS" in html and "First render" in html
    assert "日本語のタイトル" in html and "&lt;tags&gt;" in html  # chapter titles, escaped


def test_check_html_writes_the_page_for_any_file(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    r = run_producer("check", str(built.mp3), "--html", str(out), "--preset", "spotify")
    assert r.code == 1  # -14 LUFS asked of a -16 file: the page says so too
    html = out.read_text(encoding="utf-8")
    assert "FAIL" in html and re.search(r"loudness is -(1\.[89]|2\.[01])\d LU from the target", html)
    assert len([a for a in Tags(html).all("g") if a.get("class") == "chapter"]) == len(factory.CHAPTERS)
    several = tmp_path / "pages"
    other = tmp_path / "other.mp3"
    other.write_bytes(built.mp3.read_bytes())
    r = run_producer("check", str(built.mp3), str(other), "--html", str(several))
    assert r.code == 0, r.out
    assert "PASS" in (several / "ep7.mp3.html").read_text() and "PASS" in (several / "other.mp3.html").read_text()


def test_the_report_page_of_a_60_minute_episode_stays_small() -> None:
    """36,000 points a curve (every 100 ms for an hour) are cut to buckets."""
    n = 36000
    rng = np.random.default_rng(0)
    curve = Curve(0.1, rng.normal(-18, 4, n), rng.normal(-16, 2, n), np.arange(3600.0), rng.normal(-3, 1, 3600))
    out = Loudness(-16.0, -1.5, -1.6, 7.0, 3600.0, curve)
    tracks = [report_page.Track(f"t{i}.wav", {"speech_lufs_before": -20.0}, rng.normal(0, 3, n), (np.arange(n) + 0.5) * 0.1)
              for i in range(3)]
    data = report_page.PageData("An hour", "ep.mp3", -16, 1, -1, "podcast-stereo", out,
                                [Verdict("loudness", True, "-16", "-16")], input=out,
                                chapters=[(i * 120.0, f"Chapter {i}") for i in range(30)],
                                attempts=[{"gain_db": 1.0, "limiter_ceiling_db": -1.5, "output": {}}], tracks=tracks,
                                leveler="adaptive")
    html = report_page.page(data)
    assert len(html.encode()) < 1_000_000
    assert html.count("<g class=\"chapter\">") == 2 * 30  # on the loudness and the gain plots


def test_site_links_are_relative_for_our_files_and_absolute_for_others() -> None:
    base = "https://cdn.example.test/show"
    ours = site.Entry("g1", "Ours", None, f"{base}/episodes/ep1/ep1.mp3", "audio/mpeg", 61.0, "<p>x</p>",
                      f"{base}/episodes/ep1/chapters.json", None, 1, None)
    theirs = site.Entry("urn:x", "Theirs", None, "https://old.test/1.mp3", "audio/mpeg", None, "", None, None,
                        None, None)
    show = site.ShowInfo("S", "d", f"{base}/artwork.jpg", None, f"{base}/feed.xml", None)
    pages = site.pages(show, [ours, theirs], {"g1": [site.SiteChapter(0, "A"), site.SiteChapter(30, "B")]}, base)
    assert set(pages) == {"index.html", "episodes/ep1/index.html", site.page_key(theirs, base)}
    ep = Tags(pages["episodes/ep1/index.html"])
    assert ep.all("audio")[0]["src"] == "ep1.mp3" and ep.all("img")[0]["src"] == "../../artwork.jpg"
    assert [b["data-start"] for b in ep.all("button")] == ["0.000", "30.000"]
    other = Tags(pages[site.page_key(theirs, base)])
    assert other.all("audio")[0]["src"] == "https://old.test/1.mp3"
    index = Tags(pages["index.html"])
    assert [a["href"] for a in index.all("a") if a.get("class") == "title"] == [
        "episodes/ep1/index.html", site.page_key(theirs, base)]
    assert any(a["href"] == "podcast://cdn.example.test/show/feed.xml" for a in index.all("a"))


def test_notes_from_a_kept_item_lose_their_scripts() -> None:
    dirty = '<p onclick="steal()">Hi <script>steal()</script><a href="javascript:steal()">x</a> ' \
            '<a href="https://ok.test/">ok</a></p>'
    clean = site.clean_notes(dirty)
    assert "script" not in clean and "onclick" not in clean and "javascript:" not in clean
    assert 'href="https://ok.test/"' in clean


def test_only_new_or_changed_items_are_redrawn() -> None:
    show = site.ShowInfo("S", "d", None, None, None, None)
    a = site.Entry("a", "A", None, None, None, None, "", None, None, None, None, digest="1")
    b = site.Entry("b", "B", None, None, None, None, "", None, None, None, None, digest="2")
    before = site.drawn_state(show, [a, b])
    assert site.to_redraw(before, {}, None) == {"a", "b"}  # nothing drawn yet
    assert site.to_redraw(before, before, None) == set()
    assert site.to_redraw(before, before, "a") == {"a"}  # the episode just published, always
    changed = site.drawn_state(show, [a, site.Entry(**{**b.__dict__, "digest": "3"})])
    assert site.to_redraw(changed, before, None) == {"b"}
    renamed = site.drawn_state(site.ShowInfo("S2", "d", None, None, None, None), [a, b])
    assert site.to_redraw(renamed, before, None) == {"a", "b"}  # the show's title is on every page
