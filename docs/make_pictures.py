"""Regenerate the pictures the README shows (run: python docs/make_pictures.py)."""

from pathlib import Path

from rich.console import Console

import detente as dt
from detente.report.terminal import print_run_summary

HERE = Path(__file__).parent


def main() -> None:
    """Render `detente run` (the default scenario) as an SVG terminal capture."""
    result = dt.simulate("ukraine-2025", paths=20_000, seed=0)
    with open("/dev/null", "w") as sink:
        console = Console(record=True, width=100, file=sink)
        console.print("$ detente run", style="bold")
        print_run_summary(console, result)
    console.save_svg(str(HERE / "run-default.svg"), title="detente run")


if __name__ == "__main__":
    main()
