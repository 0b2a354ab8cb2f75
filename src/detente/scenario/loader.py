"""Loading scenarios: built-ins and files, variants, ``--set`` overrides, beliefs.

Every problem found on the way -- YAML syntax, schema, cross-references, a bad variant,
a bad override, a belief that does not fit the scenario -- is collected and raised at
once as a :class:`~detente.scenario.errors.ScenarioError` whose lines read
``FILE:LINE:COL: field.path: message``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from detente.scenario import checks
from detente.scenario.errors import Problem, ScenarioError, did_you_mean
from detente.scenario.model import Scenario
from detente.scenario.overrides import apply, apply_set, parse_path, parse_set
from detente.scenario.yamlio import Document, Mark, Positions, read_yaml
from detente.scenario.yamlio import Path as DocPath

DEFAULT_SCENARIO = "ukraine-2025"
"""The built-in that runs when no scenario is named."""

_BUILTIN_PACKAGE = "detente.scenario.builtin"
_Finding = tuple[Problem, str]  # a problem and the origin (layer) of the text it points at


# --- built-ins ---------------------------------------------------------------------------------


def builtin_names() -> list[str]:
    """Names of the built-in scenarios, sorted."""
    files = resources.files(_BUILTIN_PACKAGE).iterdir()
    return sorted(
        f.name.removesuffix(".yaml")
        for f in files
        if f.name.endswith(".yaml") and not f.name.startswith("_")
    )


def builtin_text(name: str) -> str:
    """The YAML text of a built-in scenario (or of the ``_starter`` template)."""
    return resources.files(_BUILTIN_PACKAGE).joinpath(f"{name}.yaml").read_text("utf-8")


def unknown_builtin(name: str, what: str = "no built-in scenario") -> ScenarioError:
    """The error for a name that is not a built-in scenario, with a suggestion."""
    names = builtin_names()
    hint = did_you_mean(name, names)
    return ScenarioError([Problem(name, 1, 1, "", f"{what}{hint}; built-ins: {', '.join(names)}")])


def _is_path(ref: str | Path) -> bool:
    text = str(ref)
    return (
        isinstance(ref, Path)
        or text.endswith((".yaml", ".yml"))
        or "/" in text
        or (Path(text).exists() and text not in builtin_names())
    )


def read(ref: str | Path) -> Document:
    """Read a scenario document from a file path or a built-in name.

    Raises
    ------
    ScenarioError
        If the file cannot be read or is not safe, well-formed YAML, or the name is
        neither a file nor a built-in.
    """
    if not _is_path(ref):
        name = str(ref)
        if name not in builtin_names():
            raise unknown_builtin(name, "no such file or built-in scenario")
        return read_yaml(builtin_text(name), name)
    path = Path(ref)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ScenarioError(
            [Problem(str(path), 1, 1, "", f"cannot read: {err.strerror or err}")]
        ) from None
    return read_yaml(raw, str(path))


# --- schema errors to located problems -------------------------------------------------------


def _unwrap(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is typing.Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(tp) if a is not type(None)]
            if len(members) != 1:
                return tp
            tp = members[0]
        else:
            return tp


def _tags(member: Any) -> set[str]:
    """The discriminator tags that select ``member`` of a tagged union."""
    if get_origin(member) is typing.Annotated:
        found = {getattr(m, "tag", None) for m in get_args(member)[1:]}
        found.discard(None)
        if found:
            return {str(t) for t in found}
    model = _unwrap(member)
    tags: set[str] = set()
    if isinstance(model, type) and issubclass(model, BaseModel):
        for field in model.model_fields.values():
            if get_origin(field.annotation) is Literal:
                tags |= {str(a) for a in get_args(field.annotation)}
    return tags


def _fields_at(loc: Sequence[Any]) -> list[str]:
    """Names of the fields allowed at pydantic location ``loc`` (for 'did you mean')."""
    tp: Any = Scenario
    for part in loc:
        tp = _unwrap(tp)
        origin = get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            fields = {f.alias or n: f for n, f in tp.model_fields.items()}
            if part not in fields:
                return []
            tp = fields[part].annotation
        elif origin is dict:
            tp = get_args(tp)[1]
        elif origin in (list, tuple):
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            matches = [m for m in get_args(tp) if str(part) in _tags(m)]
            if not matches:
                return []
            tp = matches[0]
        else:
            return []
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or n for n, f in tp.model_fields.items()]
    return []


def _rephrase(err: Any) -> str:
    kind, msg, ctx = err["type"], err["msg"], err.get("ctx") or {}
    if kind == "union_tag_invalid":
        expected = ctx.get("expected_tags", "")
        tag = str(ctx.get("tag"))
        choices = [t.strip(" '") for t in str(expected).split(",")]
        return (
            f"unknown {str(ctx.get('discriminator', 'kind')).strip(chr(39))} {tag!r}"
            f"{did_you_mean(tag, choices)}; expected one of {expected}"
        )
    if kind == "union_tag_not_found":
        field = str(ctx.get("discriminator", "kind")).strip("'")
        return f"missing {field!r}, which says what kind of block this is"
    return str(msg).removeprefix("Value error, ")


def _from_pydantic(err: Any, doc: Document) -> _Finding:
    loc = err["loc"]
    node: Any = doc.data
    path: list[str | int] = []
    shown: list[str | int] = []
    on_key = False
    for i, part in enumerate(loc):
        if part == "[key]":
            on_key = True
        elif (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
            path.append(part)
        elif i == len(loc) - 1 and err["type"] == "missing":
            shown.append(part)  # a missing field: report it at its parent
        # anything else is a union tag in pydantic's location, not a key of the document
    if err["type"] == "extra_forbidden":
        on_key = True
        name = str(path[-1])
        allowed = _fields_at([p for p in loc[:-1]])
        message = f"unknown field {name!r}{did_you_mean(name, allowed)}"
    elif err["type"] == "missing":
        message = "missing required field"
    else:
        message = _rephrase(err)
    mark = doc.positions.locate(tuple(path), key=on_key)
    return _problem(mark, [*path, *shown], message), mark.origin


def _problem(mark: Mark, path: Sequence[str | int], message: str, prefix: str = "") -> Problem:
    dotted = prefix + ".".join(str(p) for p in path)
    return Problem(mark.source, mark.line, mark.col, dotted.rstrip("."), message)


def _locate(doc: Document, path: DocPath, message: str, prefix: str = "") -> _Finding:
    offset, on_key = 0, False
    if path and path[-1] == "@key":
        on_key, path = True, path[:-1]
    elif path and isinstance(path[-1], str) and path[-1].startswith("@"):
        offset, path = int(path[-1][1:]), path[:-1]  # a character offset inside a string
    mark = doc.positions.locate(path, key=on_key)
    if offset and path in doc.positions.values:
        mark = Mark(mark.source, mark.line, mark.col + mark.quoted + offset, mark.origin)
    return _problem(mark, path, message, prefix), mark.origin


# --- validation ------------------------------------------------------------------------------


def _schema(doc: Document) -> tuple[Scenario | None, list[_Finding]]:
    """Schema and cross-reference checks of one document.

    The model is returned whenever the schema accepts the document, even if a
    cross-reference check fails, so that later checks can still run on it.
    """
    if not isinstance(doc.data, dict):
        mark = doc.positions.locate(())
        return None, [(_problem(mark, [], "a scenario must be a mapping of fields"), mark.origin)]
    try:
        model = Scenario.model_validate(doc.data)
    except ValidationError as err:
        return None, [_from_pydantic(e, doc) for e in err.errors()]
    return model, [_locate(doc, path, msg) for path, msg in checks.check(model)]


def _view_doc(doc: Document, party: str) -> tuple[Document, list[Problem]]:
    """The document as ``party`` sees it: its beliefs merged over the scenario."""
    base = Document(
        {k: v for k, v in doc.data.items() if k not in ("beliefs", "variants")},
        doc.positions,
        doc.source,
    )
    origin = f"beliefs:{party}"
    beliefs = doc.data["beliefs"][party]
    return apply(base, beliefs, doc.positions.subtree(("beliefs", party)).relabel(origin))


def _validate(doc: Document) -> tuple[Scenario | None, list[_Finding]]:
    """Schema, cross-references, and each party's view of the scenario."""
    model, found = _schema(doc)
    if model is None:
        return None, found
    for party in model.beliefs:
        origin = f"beliefs:{party}"
        view, bad = _view_doc(doc, party)
        found += [(p, origin) for p in bad]
        _, view_found = _schema(view)
        for problem, where in view_found:
            if where == origin:
                shown = f"beliefs.{party}.{problem.path}".rstrip(".")
                found.append(
                    (
                        Problem(problem.source, problem.line, problem.col, shown, problem.message),
                        origin,
                    )
                )
    return (None if found else model), found


def _variant_doc(doc: Document, name: str) -> tuple[Document, list[Problem]]:
    variant = doc.data["variants"][name]
    overrides = variant.get("set") if isinstance(variant, dict) else None
    if not isinstance(overrides, dict):
        return doc, []
    marks = doc.positions.subtree(("variants", name, "set")).relabel(f"variant:{name}")
    return apply(doc, overrides, marks)


def _overrides_docs(
    overrides: Mapping[str, Any] | Iterable[str] | None,
) -> tuple[list[tuple[DocPath, Document]], list[Problem]]:
    """Parse overrides given as a mapping or as ``PATH=VALUE`` strings."""
    parsed: list[tuple[DocPath, Document]] = []
    problems: list[Problem] = []
    if overrides is None:
        return parsed, problems
    if isinstance(overrides, Mapping):
        for key, value in overrides.items():
            try:
                path = parse_path(key)
            except ValueError as err:
                problems.append(Problem("overrides", 1, 1, "", str(err)))
                continue
            marks = Positions({(): Mark("overrides", 1, 1, "--set")})
            parsed.append((path, Document(value, marks, "overrides")))
        return parsed, problems
    for arg in [overrides] if isinstance(overrides, str) else overrides:
        try:
            parsed.append(parse_set(arg))
        except ScenarioError as err:
            problems += err.problems
    return parsed, problems


def build(
    doc: Document,
    *,
    variant: str | None = None,
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
) -> Scenario:
    """Validate a document, every variant in it, and the chosen variant and overrides.

    Parameters
    ----------
    doc
        The scenario as read by :func:`read`.
    variant
        Name of a variant to apply, or ``None`` for the base scenario.
    overrides
        ``{"war.p_win": 0.4}`` or ``["war.p_win=0.4"]``; applied after the variant.

    Raises
    ------
    ScenarioError
        With every problem found, located.
    """
    model, found = _validate(doc)
    variants = doc.data.get("variants") if isinstance(doc.data, dict) else None
    names = list(variants) if isinstance(variants, dict) else []
    for name in names:
        vdoc, bad = _variant_doc(doc, name)
        found += [(p, f"variant:{name}") for p in bad]
        _, vfound = _validate(vdoc)
        found += [(p, o) for p, o in vfound if o == f"variant:{name}"]
    chosen = doc
    if variant is not None and variant not in names:
        hint = did_you_mean(variant, names)
        known = ", ".join(names) or "none"
        message = f"no variant {variant!r}{hint}; variants: {known}"
        found.append((Problem("--variant", 1, 1, "", message), "--variant"))
    elif variant is not None:
        chosen, _ = _variant_doc(doc, variant)  # its problems were reported above
    parsed, bad = _overrides_docs(overrides)
    found += [(p, "--set") for p in bad]
    for path, value in parsed:
        chosen, bad = apply_set(chosen, path, value)
        found += [(p, "--set") for p in bad]
    if chosen is not doc:
        model, chosen_found = _validate(chosen)
        found += chosen_found
    if found or model is None:
        raise ScenarioError(p for p, _ in found)
    model._source = doc.source
    model._variant = variant
    return model


def load(
    ref: str | Path,
    *,
    variant: str | None = None,
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
) -> Scenario:
    """Load and validate a scenario by built-in name or file path.

    Parameters
    ----------
    ref
        A built-in name (``"fearon"``) or a path to a YAML file.
    variant
        A variant of the scenario to apply.
    overrides
        Values to change, by dotted path: ``{"war.p_win": 0.4}`` or
        ``["war.p_win=0.4"]`` (the ``--set`` syntax; the value is YAML).

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    ScenarioError
        With every problem found, one per line as ``FILE:LINE:COL: field: message``.

    Examples
    --------
    >>> import detente as dt
    >>> sc = dt.load("fearon", overrides={"war.p_win": 0.4})
    >>> sc.war.p_win
    0.4
    """
    return build(read(ref), variant=variant, overrides=overrides)


def view_of(scenario: Scenario, party: str) -> Scenario:
    """The scenario as ``party`` believes it to be: its beliefs merged over the rest.

    A party without beliefs sees the scenario as it is.
    """
    beliefs = scenario.beliefs.get(party)
    if not beliefs:
        return scenario
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    data.pop("variants", None)
    data.pop("beliefs", None)
    doc = Document(data, Positions(), scenario.source)
    merged, _ = apply(doc, beliefs, Positions())
    return Scenario.model_validate(merged.data)
