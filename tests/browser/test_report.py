"""The HTML report in a real browser: headless chromium (the system's), through playwright.

Skipped when playwright or chromium is missing (CI installs Debian's chromium, .ci/run).
"""

import shutil
from pathlib import Path

import pytest

import detente as dt
from detente.report.html import write_report

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium installed")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    result = dt.simulate("ukraine-2025", paths=600, seed=4, analysis_paths=400)
    return write_report([result], tmp_path_factory.mktemp("browser") / "report")


def test_report_renders_every_figure_without_console_errors(report):
    figures = sorted(p.stem for p in (report.parent / "figures").glob("*.svg"))
    problems: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
        page.goto(report.as_uri(), wait_until="load")
        images = page.eval_on_selector_all(
            "figure img",
            """els => els.map(e => ({alt: e.alt, done: e.complete, w: e.naturalWidth,
                h: e.naturalHeight, box: e.getBoundingClientRect().width *
                e.getBoundingClientRect().height,
                id: e.closest('figure').id}))""",
        )
        title = page.title()
        browser.close()
    assert problems == []
    assert sorted(i["id"].removeprefix("fig-") for i in images) == figures
    for image in images:
        assert image["done"] and image["w"] > 0 and image["h"] > 0, image
        assert image["box"] > 10_000, image  # drawn at a visible size
    assert "Russia-Ukraine" in title
