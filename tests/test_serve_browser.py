"""The wallboard page in a real browser (issue 21): headless Chromium driven by Selenium.

The page must show what ``/api/snapshot`` says: after the first notification the test pauses
the board and compares the agent tiles (status, DN, colour), a queue's waiting count and the
statistic tiles with the snapshot, then works the controls through the page's own buttons.
The screenshot goes to the test's temporary folder; with ``SIM_UPDATE_SCREENSHOT=1`` it
replaces docs/img/wallboard.png, the README's picture (a test run changes no tracked file).
Chromium and chromedriver are Debian packages; .ci/run installs them when missing.
"""

from __future__ import annotations

import os
import shutil
import time

import orjson
import pytest
from test_serve import DEADLINE, ROOT, Serve

from sim.report.plots import STATUS_COLORS
from sim.statserver.rules import AGENT_PRIORITY

SCENARIO = str(ROOT / "scenarios" / "blended.toml")


def chrome(width: int = 1600, height: int = 1250):
    """A headless Chromium (the system's), or a skip / failure naming what is missing."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (binary and driver):
        message = "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(message)     # CI installs them: a missing browser is a broken set-up
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}", "--hide-scrollbars"):
        options.add_argument(arg)
    options.binary_location = binary
    return webdriver.Chrome(service=Service(driver), options=options)


def until(what, timeout: float = DEADLINE):
    end = time.monotonic() + timeout
    while True:
        value = what()
        if value:
            return value
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def _rgb(hex_color: str) -> str:
    n = int(hex_color[1:], 16)
    return f"rgb({n >> 16}, {(n >> 8) & 255}, {n & 255})"


@pytest.fixture
def browser():
    b = chrome(height=1560) if os.environ.get("SIM_UPDATE_SCREENSHOT") else chrome()
    yield b
    b.quit()


def test_the_page_shows_what_the_api_says(browser, tmp_path):
    picture = bool(os.environ.get("SIM_UPDATE_SCREENSHOT"))
    # the README's picture: three times the sales traffic, so that calls wait and abandon
    s = Serve(SCENARIO, "--speed", "60", *(("--set", "traffic[0].rate=180") if picture else ()))
    try:
        browser.get(f"http://127.0.0.1:{s.port}/")
        js = browser.execute_script
        # the README's picture is taken later in the run, when the sparklines have a history
        wanted = 60 if picture else 1
        until(lambda: js("return window.__wallboard.notifications") >= wanted
              and any(q["distributed"] for q in s.get("/api/snapshot")["queues"]))
        s.control(action="pause")
        snap = s.get("/api/snapshot")
        until(lambda: js("return [document.body.dataset.events, document.body.dataset.paused]")
              == [str(snap["events"]), "true"])

        tiles = js("return [...document.querySelectorAll('.agent')].map(e => "
                   "[e.dataset.agent, e.dataset.status, e.dataset.dn, e.style.backgroundColor])")
        assert sorted(tiles) == sorted([a["id"], a["status"], a["dn"] or "",
                                        _rgb(STATUS_COLORS[a["status"]])] for a in snap["agents"])
        assert js("return [...document.querySelectorAll('[data-legend]')].map(e => e.dataset.legend)") \
            == list(AGENT_PRIORITY)
        for q in snap["queues"]:
            shown = js("return document.querySelector(`[data-queue='${arguments[0]}'] .waiting`)"
                       ".textContent", q["dn"])
            assert shown == str(q["waiting"]), q
        assert any(q["distributed"] for q in snap["queues"])
        assert snap["stats"], "no notification in the snapshot"
        for st in snap["stats"]:
            value = js("return document.querySelector(`[data-stat='${arguments[0]}'] .val`)"
                       ".dataset.value", f"{st['stat_type']}|{st['object']}")
            assert orjson.loads(value) == st["value"], st
        assert js("return document.querySelectorAll('#rows li').length") > 0

        shot = ROOT / "docs" / "img" / "wallboard.png" if picture else tmp_path / "wallboard.png"
        assert browser.save_screenshot(str(shot))
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

        # the controls, through the page's buttons
        browser.find_element("id", "step").click()
        until(lambda: s.get("/api/snapshot")["events"] == snap["events"] + 1)
        browser.find_element("css selector", "[data-speed='max']").click()
        until(lambda: s.get("/api/snapshot")["speed"] is None)
        browser.find_element("id", "pause").click()          # it reads "Resume" while paused
        until(lambda: not s.get("/api/snapshot")["paused"])
        until(lambda: js("return document.body.dataset.paused") == "false")
    finally:
        s.stop()
