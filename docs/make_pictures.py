"""Regenerate the pictures the README shows (run: python docs/make_pictures.py).

* ``run-default.svg``: ``detente run`` on the default scenario, as a terminal capture;
* ``report.png``: the top of the HTML report of that run (``detente run --out DIR``),
  photographed in headless chromium (the system's, driven by playwright).
"""

import shutil
import sys
import tempfile
from pathlib import Path

from rich.console import Console

import detente as dt
from detente.report.html import write_report
from detente.report.terminal import print_run_summary

HERE = Path(__file__).parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def terminal(result: dt.Result) -> None:
    """Render `detente run` (the default scenario) as an SVG terminal capture."""
    with open("/dev/null", "w") as sink:
        console = Console(record=True, width=100, file=sink)
        console.print("$ detente run", style="bold")
        print_run_summary(console, result)
    console.save_svg(str(HERE / "run-default.svg"), title="detente run")


def report(result: dt.Result, height: int = 1500) -> None:
    """Photograph the top of the run's HTML report (answer and first figures) as a PNG."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        page_file = write_report([result], Path(tmp) / "report")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1100, "height": height})
            page.goto(page_file.as_uri(), wait_until="load")
            page.screenshot(path=str(HERE / "report.png"), full_page=False)
            browser.close()


def main() -> None:
    """Both pictures, from one run of the default scenario (20,000 paths, seed 0)."""
    result = dt.simulate("ukraine-2025", paths=20_000, seed=0)
    terminal(result)
    if "--no-report" not in sys.argv:
        report(result)


if __name__ == "__main__":
    main()
