"""`producer serve` on a published show: byte ranges as curl asks for them, and the
website and report page in a real headless Chromium (Debian's chromium and
chromium-driver, driven by selenium): a chapter clicked seeks the player (which
Chromium does with Range requests), no console errors, screenshots checked."""
from __future__ import annotations

import io
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
from PIL import Image

from tests import factory
from tests.conftest import Built, run_producer
from tests.servers import free_port, wait_for_port

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


class Served:
    def __init__(self, root: Path, url: str) -> None:
        self.root, self.url = root, url
        self.public = root / "public"


@pytest.fixture(scope="module")
def served(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("served") / "show"
    shutil.copytree(built.show, root)
    assert run_producer("publish", str(root / "ep7"), "--target", str(root / "public"), cwd=root).code == 0
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "producer", "serve", str(root), "--port", str(port), "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wait_for_port(port, 20), "producer serve did not start"
    yield Served(root, f"http://127.0.0.1:{port}")
    proc.terminate()
    proc.wait(timeout=10)


def curl(*args: str) -> tuple[int, dict[str, str], bytes]:
    dump = [] if "-I" in args else ["-D", "-"]  # -I prints the headers itself
    p = subprocess.run(["curl", "-s", *dump, "--path-as-is", *args], capture_output=True, check=True)
    head, _, body = p.stdout.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


@pytest.mark.parametrize("path", ["/episodes/ep7/ep7.mp3%00.txt", "/%ff%fe.mp3", "/a%00"])
def test_a_path_no_file_can_have_is_400(served: Served, path: str) -> None:
    status, _, _ = curl(f"{served.url}{path}")
    assert status == 400


def test_ranges_as_curl_asks(served: Served) -> None:
    mp3 = served.public / "episodes" / "ep7" / "ep7.mp3"
    data, url = mp3.read_bytes(), f"{served.url}/episodes/ep7/ep7.mp3"
    status, h, body = curl(url, "-r", "100-1099")
    assert status == 206 and body == data[100:1100]
    assert h["content-range"] == f"bytes 100-1099/{len(data)}" and h["content-length"] == "1000"
    assert h["accept-ranges"] == "bytes" and h["content-type"] == "audio/mpeg"
    status, h, body = curl(url, "-r", "-500")
    assert status == 206 and body == data[-500:]
    status, h, body = curl(url, "-r", f"{len(data) - 10}-")
    assert status == 206 and body == data[-10:]
    status, h, body = curl(url, "-r", f"{len(data)}-")
    assert status == 416 and h["content-range"] == f"bytes */{len(data)}" and body == b""
    status, h, body = curl(url)
    assert status == 200 and body == data and h["accept-ranges"] == "bytes"


def test_head_types_and_nothing_outside_the_folder(served: Served) -> None:
    status, h, body = curl("-I", f"{served.url}/episodes/ep7/ep7.mp3")
    assert status == 200 and int(h["content-length"]) == (served.public / "episodes/ep7/ep7.mp3").stat().st_size
    assert body == b""
    for path, ctype in (("/", "text/html; charset=utf-8"), ("/feed.xml", "application/rss+xml"),
                        ("/episodes/ep7/chapters.json", "application/json+chapters")):
        assert curl(f"{served.url}{path}")[1]["content-type"] == ctype, path
    assert curl(f"{served.url}/../show.toml")[0] == 404
    assert curl(f"{served.url}/%2e%2e/show.toml")[0] == 404
    assert curl(f"{served.url}/nothing-here.mp3")[0] == 404


def test_the_feed_points_at_the_server_it_came_from(served: Served) -> None:
    _, _, body = curl(f"{served.url}/feed.xml")
    assert f'url="{served.url}/episodes/ep7/ep7.mp3"'.encode() in body
    assert b"https://cdn.example.test/episodes" not in body
    assert b"https://cdn.example.test/episodes" in (served.public / "feed.xml").read_bytes()  # the file is not touched


# ---------------------------------------------------------------- a real browser

@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not (CHROMIUM and DRIVER):
        pytest.fail("Debian's chromium and chromium-driver are needed (make install-test)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,1000",
                "--autoplay-policy=no-user-gesture-required", "--mute-audio"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def errors(driver) -> list[dict]:  # type: ignore[no-untyped-def]
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def wait_for(driver, script: str, timeout: float = 15.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {script}")


def test_a_chapter_click_seeks_the_player(served: Served, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(f"{served.url}/episodes/ep7/index.html")
    wait_for(browser, "return document.getElementById('player').readyState >= 1")
    buttons = browser.find_elements(By.CSS_SELECTOR, "button.seek")
    assert [b.get_attribute("data-start") for b in buttons] == ["0.000", "5.250", "20.000", "31.125"]
    buttons[2].click()
    now = wait_for(browser, "var p = document.getElementById('player'); "
                            "return (!p.seeking && p.currentTime >= 20) ? p.currentTime : 0")
    assert 20.0 <= now < 22.0
    assert "current" in buttons[2].get_attribute("class")
    buttons[1].click()
    now = wait_for(browser, "var p = document.getElementById('player'); "
                            "return (!p.seeking && p.currentTime >= 5.25 && p.currentTime < 20) ? p.currentTime : 0")
    assert 5.25 <= now < 7.0
    assert errors(browser) == []


def test_the_index_lists_the_episode_and_shows_the_artwork(served: Served, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(f"{served.url}/")
    wait_for(browser, "var i = document.querySelector('img.cover'); return i && i.complete && i.naturalWidth > 0")
    titles = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "a.title")]
    assert len(titles) == 1 and "quotes" in titles[0]
    shot = Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("RGB")
    box = browser.find_element(By.CSS_SELECTOR, "img.cover").rect
    ratio = browser.execute_script("return window.devicePixelRatio")
    centre = shot.getpixel((int((box["x"] + box["width"] / 2) * ratio), int((box["y"] + box["height"] / 2) * ratio)))
    assert all(abs(a - b) <= 12 for a, b in zip(centre, (200, 60, 40)))  # the test cover's red, on screen
    browser.find_elements(By.CSS_SELECTOR, "a.title")[0].click()
    wait_for(browser, "return location.pathname.endsWith('/episodes/ep7/index.html')")
    assert errors(browser) == []


def test_the_report_page_renders_its_plots(served: Served, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(f"{served.url}/episodes/ep7/report.html")
    plots = browser.find_elements(By.CSS_SELECTOR, "svg.plot")
    assert len(plots) >= 2 and all(p.rect["width"] > 500 and p.rect["height"] > 100 for p in plots)
    line = browser.find_element(By.CSS_SELECTOR, "polyline.out-short")
    assert line.rect["width"] > 500  # the curve spans the time axis
    shot = Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("RGB")
    pixels = np.asarray(shot).astype(int)
    blue = int((np.abs(pixels - [11, 94, 215]).max(axis=2) < 30).sum())
    assert blue > 200  # the short-term curve's colour is drawn, not only declared
    assert errors(browser) == []


def test_serve_previews_a_file_url_target_as_publish_writes_it(tmp_path: Path) -> None:
    """publish, status, lint and serve resolve the target alike (io/storage.show_target)."""
    from producer.commands.serve import published_folder

    ep = factory.make_show(tmp_path / "show", seconds=6, chapters=[("00:00", "Start", None)], recordings=1)
    show = ep.parent / "show.toml"
    site = tmp_path / "elsewhere" / "site"
    show.write_text(show.read_text(encoding="utf-8").replace("[publish]\n", f'[publish]\ntarget = "file://{site}"\n'),
                    encoding="utf-8")
    assert run_producer("publish", str(ep)).code == 0
    assert (site / "feed.xml").is_file()
    folder, _ = published_folder(ep.parent)
    assert folder == site.resolve()
