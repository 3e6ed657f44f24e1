"""The README's screenshots: the sample show built and published into a scratch
copy, served by `producer serve`, photographed by headless Chromium (Debian's
chromium and chromium-driver through selenium). `make screenshots` writes
docs/report.png, docs/site-index.png and docs/site-episode.png."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import free_port, wait_for_port  # noqa: E402  (the helpers the tests use)
DOCS = ROOT / "docs"


def browser(width: int, height: int):  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                "--hide-scrollbars", "--mute-audio"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                            options=options)


def producer(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "producer", *args], check=True)


def full_page(driver, url: str, out: Path, width: int) -> None:  # type: ignore[no-untyped-def]
    driver.set_window_size(width, 600)  # the page's own height, not the last page's window
    driver.get(url)
    time.sleep(0.3)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(height + 40, 2400))
    time.sleep(0.3)
    driver.save_screenshot(str(out))
    print(f"wrote {out.relative_to(ROOT)}")


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        show = Path(scratch) / "show"
        shutil.copytree(ROOT / "sample_media", show, ignore=shutil.ignore_patterns("dist", "public"))
        producer("publish", str(show / "ep32"), "--quiet")
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "producer", "serve", str(show), "--port", str(port),
                                   "--quiet"])
        try:
            if not wait_for_port(port, 20):
                raise RuntimeError("producer serve did not start")
            driver = browser(1100, 900)
            try:
                base = f"http://127.0.0.1:{port}"
                full_page(driver, f"{base}/episodes/ep32/report.html", DOCS / "report.png", 1100)
                full_page(driver, f"{base}/", DOCS / "site-index.png", 1000)
                full_page(driver, f"{base}/episodes/ep32/index.html", DOCS / "site-episode.png", 1000)
            finally:
                driver.quit()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
