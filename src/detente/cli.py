"""The ``detente`` command line: thin wrappers that parse, call the API and print.

Results go to stdout (JSON with ``--json``); progress, logs and problems go to stderr.
Exit codes: 0 success, 1 internal error or a command not available yet, 2 bad input
(one line per problem, ``FILE:LINE:COL: field.path: message``, never a traceback).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import TextColumn
from rich.table import Table

from detente import __version__
from detente.scenario import (
    DEFAULT_SCENARIO,
    Problem,
    Scenario,
    ScenarioError,
    builtin_names,
    builtin_text,
    json_schema,
    load,
)
from detente.scenario.loader import unknown_builtin
from detente.scenario.schema import MODELINE, SCHEMA_FILE

JSON_SCHEMA_VERSION = 1
"""Version of the layout of every ``--json`` document (its ``schema_version`` key)."""

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2

out = Console(highlight=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

app = typer.Typer(
    name="detente",
    help="Simulate a war of attrition and the negotiations that could end it: is there a "
    "window for a settlement, when, on what terms, and does a deal hold?",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# --- options every command shares --------------------------------------------------------------

Seed = Annotated[int, typer.Option("--seed", help="Random seed; same seed, same numbers.")]
AsJson = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notes on stderr.")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="PATH=VALUE",
        help="Change one value for this run, by its path in the scenario, e.g. "
        "--set war.belligerents.russia.troops=700000 or "
        "--set 'war.front.step={low: 0.0002, high: 0.0005}'. Repeatable.",
    ),
]
VariantOpt = Annotated[
    str | None, typer.Option("--variant", help="Apply one of the scenario's named variants.")
]
ScenarioArg = Annotated[
    str | None,
    typer.Argument(
        metavar="[SCENARIO]",
        help=f"A scenario file or built-in name (default: {DEFAULT_SCENARIO}).",
        show_default=False,
    ),
]


def _emit_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps({"schema_version": JSON_SCHEMA_VERSION, **document}, indent=2))
    sys.stdout.write("\n")


def _bad_input(error: ScenarioError, as_json: bool) -> NoReturn:
    """Report every problem, one per line on stderr (and as JSON on stdout), exit 2."""
    for problem in error.problems:
        sys.stderr.write(f"{problem}\n")
    if as_json:
        _emit_json(
            {
                "error": "invalid input",
                "problems": [vars(p) for p in error.problems],
            }
        )
    raise typer.Exit(EXIT_BAD_INPUT)


def _load(
    ref: str | None, variant: str | None, overrides: list[str] | None, as_json: bool
) -> Scenario:
    try:
        return load(ref or DEFAULT_SCENARIO, variant=variant, overrides=overrides or [])
    except ScenarioError as error:
        _bad_input(error, as_json)


def _not_yet(command: str, issue: str) -> NoReturn:
    err.print(
        f"detente {command}: not available yet -- it arrives with {issue}. Nothing was computed.",
        markup=False,
    )
    raise typer.Exit(EXIT_INTERNAL)


def _note(quiet: bool, message: str) -> None:
    if not quiet:
        err.print(message, markup=False)


# --- the main job and the analyses (engines land in later issues) -------------------------


@app.command()
def run(
    scenario: ScenarioArg = None,
    paths: Annotated[int, typer.Option("--paths", min=1, help="Monte Carlo paths.")] = 20_000,
    horizon: Annotated[
        int | None, typer.Option("--horizon", min=1, help="Steps to simulate.")
    ] = None,
    variant: VariantOpt = None,
    compare: Annotated[
        bool, typer.Option("--compare", help="Run every variant side by side.")
    ] = False,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Write the HTML report, figures and Parquet here.")
    ] = None,
    analysis_paths: Annotated[
        int | None,
        typer.Option(
            "--analysis-paths",
            min=1,
            help="Paths of the window and negotiation analyses: the first ones of the war "
            "(default: the smaller of --paths and 4096).",
        ),
    ] = None,
    set_: SetOpt = None,
    seed: Seed = 0,
    as_json: AsJson = False,
    quiet: Quiet = False,
) -> None:
    """The main job: simulate the war, find the settlement window, negotiate, test the claims.

    Prints the answer in plain words (is there a window, when, on what terms, will talks succeed, how the war ends, which claims hold), then compact tables. --compare runs every variant of the scenario; --out DIR writes the HTML report, its figures and the results as Parquet.
    """  # noqa: E501 - one paragraph, so the help renders it as one
    if compare and variant is not None:
        sys.stderr.write("detente run: give --variant or --compare, not both\n")
        raise typer.Exit(EXIT_BAD_INPUT)
    sc = _load(scenario, variant, set_, as_json)
    names: list[str | None] = [variant]
    if compare:
        names = [None, *sc.variants]
    scenarios_ = [sc] + [_load(scenario, name, set_, as_json) for name in names[1:]]
    if out_dir is not None:
        from detente.report.html import check_target

        problem = check_target(out_dir)
        if problem:
            sys.stderr.write(f"{out_dir}: {problem}\n")
            raise typer.Exit(EXIT_BAD_INPUT)
    from detente.engines import EngineError
    from detente.simulation import simulate

    results = []
    try:
        with _stages(quiet) as show:
            for one in scenarios_:
                name = f"{one.name}" + (f" ({one.variant})" if one.variant else "")
                results.append(
                    simulate(
                        one, paths=paths, seed=seed, horizon=horizon,
                        analysis_paths=analysis_paths, progress=show.blocks,
                        stage=show.labelled(name),
                    )
                )  # fmt: skip
            docs = []
            for one, found in zip(scenarios_, results, strict=True):
                show.stage(f"{one.name}: terms and extents of the window")
                docs.append(found.summary())
            if out_dir is not None:
                from detente.report.html import write_report

                show.stage(f"writing the report to {out_dir}")
                write_report(results, out_dir)
    except EngineError as error:
        err.print(f"detente run: {error}", markup=False)
        raise typer.Exit(EXIT_INTERNAL) from None
    if as_json:
        document = docs[0] if not compare else {**docs[0], "compare": docs}
        _emit_json(document)
    else:
        from detente.report.terminal import print_compare_summary, print_run_summary

        if compare:
            print_compare_summary(out, docs)
        else:
            print_run_summary(out, docs[0])
    if out_dir is not None:
        _note(quiet, f"report: {out_dir / 'report.html'} (figures, Parquet results beside it)")
    elif not as_json:
        _note(quiet, "every number: --json; figures, assumption ledger and Parquet: --out DIR")


class _Stages:
    """What a running job shows on stderr: its stage, and blocks done while simulating."""

    def __init__(self, bar: Any, task: Any) -> None:
        self.bar, self.task = bar, task

    def stage(self, label: str) -> None:
        self.bar.update(self.task, description=label, completed=0, total=None)

    def blocks(self, done: int, total: int) -> None:
        self.bar.update(self.task, completed=done, total=total)

    def labelled(self, name: str) -> Callable[[str], None]:
        return lambda label: self.stage(f"{name}: {label}")


@contextlib.contextmanager
def _stages(quiet: bool) -> Iterator[_Stages]:
    """A progress bar with a stage label on stderr, only in a terminal and when not --quiet."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True, disable=quiet or not err.is_terminal,
    )  # fmt: skip
    task = bar.add_task("starting", total=None)
    with bar:
        yield _Stages(bar, task)


@contextlib.contextmanager
def _progress(quiet: bool, label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr, shown only in a terminal and when not --quiet."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True, disable=quiet or not err.is_terminal,
    )  # fmt: skip
    task = bar.add_task(label, total=None)
    with bar:
        yield lambda done, total: bar.update(task, completed=done, total=total)


@app.command()
def window(
    scenario: ScenarioArg = None,
    paths: Annotated[int, typer.Option("--paths", min=1, help="Monte Carlo paths.")] = 20_000,
    variant: VariantOpt = None,
    set_: SetOpt = None,
    seed: Seed = 0,
    as_json: AsJson = False,
    quiet: Quiet = False,
) -> None:
    """Bargaining analysis only: outside options, ZOPA, solutions over time.

    Each party at the table or with a veto values fighting on under its own beliefs; the window is open where some settlement beats that for all of them.
    """  # noqa: E501 - one paragraph, so the help renders it as one
    sc = _load(scenario, variant, set_, as_json)
    from detente.bargaining.window import window as analyse
    from detente.engines import EngineError

    try:
        with _progress(quiet, f"window of {sc.name}"):
            result = analyse(sc, paths=paths, seed=seed)
    except EngineError as error:
        err.print(f"detente window: {error}", markup=False)
        raise typer.Exit(EXIT_INTERNAL) from None
    doc = {
        "scenario": sc.name, "variant": sc.variant, "seed": seed, "paths": paths,
        **result.summary(),
    }  # fmt: skip
    if as_json:
        _emit_json(doc)
        return
    from detente.report.terminal import print_window_summary

    print_window_summary(out, doc)


@app.command()
def negotiate(
    scenario: ScenarioArg = None,
    protocol: Annotated[
        str | None,
        typer.Option(
            "--protocol",
            help="equilibrium, alternating, mediated or ultimatum (default: the scenario's).",
        ),
    ] = None,
    paths: Annotated[int, typer.Option("--paths", min=1, help="Monte Carlo paths.")] = 20_000,
    horizon: Annotated[
        int | None, typer.Option("--horizon", min=1, help="Steps to simulate.")
    ] = None,
    variant: VariantOpt = None,
    set_: SetOpt = None,
    seed: Seed = 0,
    as_json: AsJson = False,
    quiet: Quiet = False,
) -> None:
    """Negotiation only, on the scenario's table: whether talks succeed, when, on what terms.

    Talks are held at the scheduled checkpoints on every path still at war; every party at the table and every veto player must get at least its outside option; patron pressure is applied and the agreement share is also reported without it.
    """  # noqa: E501 - one paragraph, so the help renders it as one
    sc = _load(scenario, variant, set_, as_json)
    from detente.engines import EngineError
    from detente.negotiation import PROTOCOLS
    from detente.negotiation import negotiate as talk

    if protocol is not None and protocol not in PROTOCOLS:
        message = f"unknown protocol {protocol!r}; choose one of {', '.join(PROTOCOLS)}"
        _bad_input(ScenarioError([Problem("--protocol", 1, 1, "", message)]), as_json)
    try:
        with _progress(quiet, f"negotiating {sc.name}"):
            result = talk(sc, protocol=protocol, paths=paths, seed=seed, horizon=horizon)
    except EngineError as error:
        err.print(f"detente negotiate: {error}", markup=False)
        raise typer.Exit(EXIT_INTERNAL) from None
    doc = {
        "scenario": sc.name, "variant": sc.variant, "seed": seed, "paths": paths,
        **result.summary(),
    }  # fmt: skip
    if as_json:
        _emit_json(doc)
        return
    from detente.report.terminal import print_negotiation_summary

    print_negotiation_summary(out, doc)


@app.command()
def claims(
    scenario: ScenarioArg = None,
    variant: Annotated[
        str | None,
        typer.Option("--variant", help="Evaluate under this variant only [default: every one]."),
    ] = None,
    paths: Annotated[int, typer.Option("--paths", min=1, help="Monte Carlo paths.")] = 20_000,
    set_: SetOpt = None,
    seed: Seed = 0,
    as_json: AsJson = False,
    quiet: Quiet = False,
) -> None:
    """Evaluate the scenario's claims against the model, under the scenario and each variant.

    Each claim holds, fails, is uncertain (within 2 Monte Carlo standard errors of flipping) or is not evaluated (a metric this run does not compute), with the estimate behind it and its source.
    """  # noqa: E501 - one paragraph, so the help renders it as one
    sc = _load(scenario, variant, set_, as_json)
    names: list[str | None] = [variant] if variant is not None else [None, *sc.variants]
    scenarios_ = [sc] + [_load(scenario, name, set_, as_json) for name in names[1:]]
    from detente.engines import EngineError
    from detente.simulation import simulate

    found: list[dict[str, Any]] = []
    try:
        with _stages(quiet) as show:
            for one in scenarios_:
                name = f"{one.name}" + (f" ({one.variant})" if one.variant else "")
                result = simulate(
                    one, paths=paths, seed=seed, progress=show.blocks,
                    stage=show.labelled(name),
                )  # fmt: skip
                found += result.claims or []
    except EngineError as error:
        err.print(f"detente claims: {error}", markup=False)
        raise typer.Exit(EXIT_INTERNAL) from None
    labels = [name or "baseline" for name in names]
    if as_json:
        _emit_json(
            {
                "scenario": sc.name, "source": sc.source, "seed": seed, "paths": paths,
                "variants": labels, "claims": found,
            }
        )  # fmt: skip
        return
    from detente.report.terminal import claims_table

    if not sc.claims:
        out.print(f"{sc.name} has no claims to evaluate.", markup=False)
        return
    for label in labels:
        rows = [c for c in found if (c["variant"] or "baseline") == label]
        out.print(claims_table(rows, title=f"Claims of {sc.name}, {label} ({paths:,} paths)"))


@app.command()
def sweep(
    scenario: Annotated[str, typer.Argument(help="A scenario file or built-in name.")],
    experiments: Annotated[int, typer.Option("--experiments", min=1)] = 1000,
    store: Annotated[Path | None, typer.Option("--store", help="Result store folder.")] = None,
    resume: Annotated[bool, typer.Option("--resume/--no-resume")] = False,
    workers: Annotated[int, typer.Option("--workers", min=1)] = 1,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask address.")] = None,
    set_: SetOpt = None,
    seed: Seed = 0,
    as_json: AsJson = False,
    quiet: Quiet = False,
) -> None:
    """Explore the scenario's uncertain values over many experiments (durable, resumable)."""
    _load(scenario, None, set_, as_json)
    _not_yet("sweep", "the exploration layer")


@app.command()
def discover(
    store: Annotated[Path, typer.Argument(help="A sweep's result store.")],
    target: Annotated[str, typer.Option("--target", help="Expression defining success.")],
    seed: Seed = 0,
    as_json: AsJson = False,
    quiet: Quiet = False,
) -> None:
    """Scenario discovery (PRIM boxes) over a sweep."""
    _not_yet("discover", "the exploration layer")


@app.command()
def sensitivity(
    store: Annotated[Path, typer.Argument(help="A sweep's result store.")],
    target: Annotated[str, typer.Option("--target", help="Output to explain.")],
    seed: Seed = 0,
    as_json: AsJson = False,
    quiet: Quiet = False,
) -> None:
    """Sobol or Morris sensitivity indices over a sweep."""
    _not_yet("sensitivity", "the exploration layer")


@app.command()
def report(
    results_dir: Annotated[Path, typer.Argument(help="Folder written by run --out.")],
    seed: Seed = 0,
    as_json: AsJson = False,
    quiet: Quiet = False,
) -> None:
    """(Re)build the HTML report and its figures from the results saved by run --out (no simulation)."""  # noqa: E501
    from detente.report.html import ReportError, rebuild_report

    try:
        target = rebuild_report(results_dir)
    except ReportError as error:
        sys.stderr.write(f"{results_dir}: {error}\n")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if as_json:
        _emit_json({"report": str(target)})
    else:
        _note(quiet, f"report: {target}")


@app.command()
def serve(
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8501,
    seed: Seed = 0,
    as_json: AsJson = False,
    quiet: Quiet = False,
) -> None:
    """The dashboard in a browser, bound to 127.0.0.1."""
    _not_yet("serve", "the dashboard")


# --- authoring scenarios -----------------------------------------------------------------------


@app.command()
def validate(
    file: Annotated[str, typer.Argument(help="A scenario file (or built-in name) to check.")],
    variant: VariantOpt = None,
    set_: SetOpt = None,
    seed: Seed = 0,
    as_json: AsJson = False,
    quiet: Quiet = False,
) -> None:
    """Check a scenario file: syntax, schema, names, claims, every variant and belief."""
    sc = _load(file, variant, set_, as_json)
    if as_json:
        _emit_json(
            {
                "valid": True,
                "source": sc.source,
                "scenario": sc.name,
                "variants": list(sc.variants),
                "claims": [c.id for c in sc.claims],
                "digest": sc.digest(),
                "problems": [],
            }
        )
        return
    variants = ", ".join(sc.variants) or "none"
    out.print(
        f"{sc.source}: valid -- scenario {sc.name!r}, {len(sc.parties)} parties, "
        f"{len(sc.issues)} issues, {len(sc.claims)} claims, variants: {variants}",
        markup=False,
    )


@app.command()
def scenarios(
    seed: Seed = 0,
    as_json: AsJson = False,
    quiet: Quiet = False,
) -> None:
    """List the built-in scenarios."""
    rows: list[dict[str, Any]] = []
    for name in builtin_names():
        sc = load(name)
        rows.append(
            {
                "name": name,
                "title": sc.title or "",
                "engine": sc.war.engine if sc.war else "none",
                "parties": list(sc.parties),
                "issues": list(sc.issues),
                "variants": list(sc.variants),
                "default": name == DEFAULT_SCENARIO,
            }
        )
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(title="Built-in scenarios", title_justify="left")
    for column in ("name", "engine", "title", "variants"):
        table.add_column(column)
    for row in rows:
        mark = " (default)" if row["default"] else ""
        table.add_row(
            f"{row['name']}{mark}", row["engine"], row["title"], ", ".join(row["variants"])
        )
    out.print(table)
    _note(quiet, "detente show NAME prints one; detente init FILE --from NAME starts your own.")


@app.command()
def show(
    name: Annotated[str, typer.Argument(help="A built-in scenario's name.")],
    seed: Seed = 0,
    as_json: AsJson = False,
    quiet: Quiet = False,
) -> None:
    """Print a built-in scenario's YAML (save it to a file to start your own)."""
    if name not in builtin_names():
        _bad_input(unknown_builtin(name), as_json)
    text = builtin_text(name)
    if as_json:
        _emit_json({"name": name, "yaml": text})
    else:
        sys.stdout.write(text)


@app.command()
def init(
    file: Annotated[Path, typer.Argument(help="The scenario file to create (.yaml added).")],
    from_: Annotated[
        str | None,
        typer.Option("--from", help="Start from a built-in scenario instead of the template."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    seed: Seed = 0,
    as_json: AsJson = False,
    quiet: Quiet = False,
) -> None:
    """Write a commented starter scenario (and the schema file editors use to complete it)."""
    if file.suffix not in (".yaml", ".yml"):
        file = file.with_name(file.name + ".yaml")
    if from_ is not None and from_ not in builtin_names():
        _bad_input(unknown_builtin(from_), as_json)
    if file.exists() and not force:
        _bad_input(
            ScenarioError([Problem(str(file), 1, 1, "", "already exists; use --force to replace")]),
            as_json,
        )
    text = builtin_text(from_ or "_starter")
    if not text.startswith(MODELINE):
        text = f"{MODELINE}\n{text}"
    if from_ is None:
        text = text.replace("name: starter", f"name: {_slug(file.stem)}", 1)
    _write_atomically(file, text)
    schema_path = file.parent / SCHEMA_FILE
    wrote_schema = not schema_path.exists()
    if wrote_schema:
        _write_atomically(schema_path, json.dumps(json_schema(), indent=2) + "\n")
    if as_json:
        _emit_json({"created": str(file), "schema": str(schema_path) if wrote_schema else None})
        return
    out.print(f"wrote {file}" + (f" and {schema_path}" if wrote_schema else ""), markup=False)
    _note(quiet, f"next: edit it, then `detente validate {file}`.")


def _slug(stem: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem).strip("-_")
    return cleaned if cleaned[:1].isalpha() else f"s-{cleaned}" if cleaned else "my-scenario"


def _write_atomically(path: Path, text: str) -> None:
    """Write to a temporary name, then rename: an interrupted write leaves nothing half-made."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@app.command()
def schema(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
    seed: Seed = 0,
    as_json: AsJson = False,
    quiet: Quiet = False,
) -> None:
    """Print the JSON Schema of the scenario format (for editor completion).

    Save it beside your scenarios as detente.schema.json and put this first line in
    each file:  # yaml-language-server: $schema=./detente.schema.json
    """
    text = json.dumps(json_schema(), indent=2) + "\n"
    if out_file is None:
        sys.stdout.write(text)
    else:
        _write_atomically(out_file, text)
        _note(quiet, f"wrote {out_file}; first line of a scenario: {MODELINE}")


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", is_eager=True)
    ] = False,
) -> None:
    if version:
        out.print(f"detente {__version__}", markup=False)
        raise typer.Exit(EXIT_OK)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``detente`` console script; returns the exit code."""
    try:
        result = app(args=argv, prog_name="detente", standalone_mode=False)
    except typer.Exit as done:
        return int(done.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        err.print("interrupted", markup=False)
        return 130
    except typer.TyperException as error:
        # Usage errors (unknown command or option, bad option value): one line, exit 2.
        if type(error).__name__ == "NoArgsIsHelpError":
            return EXIT_OK  # bare `detente`: the help was printed
        ctx = getattr(error, "ctx", None)
        command = ctx.command_path if ctx is not None else "detente"
        message = error.format_message() if hasattr(error, "format_message") else str(error)
        sys.stderr.write(f"{command}: {message} (see `{command} --help`)\n")
        return EXIT_BAD_INPUT
    except Exception as error:
        if os.environ.get("DETENTE_DEBUG"):
            raise
        sys.stderr.write(
            f"detente: internal error: {type(error).__name__}: {error} "
            "(set DETENTE_DEBUG=1 for the traceback)\n"
        )
        return EXIT_INTERNAL
    return int(result) if isinstance(result, int) else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
