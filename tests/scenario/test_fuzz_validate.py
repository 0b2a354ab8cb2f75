"""Fuzzing ``detente validate FILE``: bad input exits 2 with located problems, nothing runs.

Built-in scenarios are mutated (keys deleted, values of the wrong type or out of range,
unknown keys, garbage bytes, deep nesting, huge files, YAML tags and aliases) and fed to
the command line in-process. Every outcome must be exit 0 (the mutation happens to be a
valid scenario, which :func:`detente.scenario.load` then accepts) or exit 2 with one
``SOURCE:LINE:COL: ...`` line per problem on stderr and nothing on stdout -- never a
traceback, never an internal error, and never a side effect of a YAML payload.
"""

from __future__ import annotations

import copy
import functools
import io
import math
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from detente.cli import main
from detente.scenario import builtin_names, builtin_text, load, read
from detente.scenario.yamlio import MAX_BYTES, MAX_DEPTH

# --- what a good answer looks like -----------------------------------------------------------

LOCATED = re.compile(r"^[^\n]+:\d+:\d+: .+$")
WHERE = re.compile(r":(\d+):(\d+): ")
MARKER = "@MARKER@"
"""Placeholder for the marker file a payload tries to create; replaced per test."""

# Events raised (PEP 578) when Python starts a process or replaces itself.
_EXEC_EVENTS = ("os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork", "subprocess.")
_audit: dict[str, Any] = {"armed": False, "events": []}


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if _audit["armed"] and event.startswith(_EXEC_EVENTS):
        _audit["events"].append((event, repr(args)[:200]))


sys.addaudithook(_hook)  # cannot be removed; it does nothing unless armed


def validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``detente validate PATH`` in-process: (exit code, stdout, stderr)."""
    capsys.readouterr()  # drop whatever an earlier example left behind
    _audit["events"] = []
    _audit["armed"] = True
    try:
        code = main(["validate", str(path)])
    finally:
        _audit["armed"] = False
    out, err = capsys.readouterr()
    assert not _audit["events"], f"validate started a process: {_audit['events']}"
    return code, out, err


def check_outcome(code: int, out: str, err: str, path: Path, marker: Path) -> list[str]:
    """Assert the contract of ``validate`` on any input; the problem lines, if any."""
    assert not marker.exists(), f"a YAML payload ran: {marker} was created"
    assert "Traceback" not in err, err
    assert 'File "' not in err, err
    assert code in (0, 2), f"exit {code}, stderr:\n{err}"
    if code == 0:
        load(path)  # the mutation happened to be valid: the API agrees
        return []
    assert out == "", f"stdout on bad input:\n{out}"
    lines = [line for line in err.split("\n") if line.strip()]
    assert lines, "exit 2 without a problem on stderr"
    n_lines = path.read_bytes().count(b"\n") + 1
    for line in lines:
        assert LOCATED.match(line), f"problem line without a location: {line!r}\n{err}"
        assert line.isprintable(), f"unescaped control character: {line!r}"
        assert line.startswith(f"{path}:"), f"problem not located in the file: {line!r}"
        where = WHERE.search(line[len(str(path)) :])
        assert where is not None, line
        row, col = int(where[1]), int(where[2])
        assert 1 <= row <= n_lines, f"line {row} outside the file ({n_lines} lines): {line!r}"
        assert col >= 1, line
    return lines


# --- seeds ----------------------------------------------------------------------------------

NAMES = builtin_names()
SEED_TEXT = {name: builtin_text(name) for name in NAMES}
SEED_DATA = {name: read(name).data for name in NAMES}


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node).union(*(_keys(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_keys(v) for v in node))
    return set()


KNOWN_KEYS = sorted(set().union(*(_keys(d) for d in SEED_DATA.values())))


def dump(data: Any) -> str:
    """Plain data as block-style YAML (``.nan``, ``.inf`` for the special floats)."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.representer.ignore_aliases = lambda _data: True  # never write anchors ourselves
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path in ``node`` (the root excluded), parents before children."""
    found: list[tuple[Any, ...]] = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, value in items:
        found.append((*prefix, key))
        found.extend(_paths(value, (*prefix, key)))
    return found


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- mutations of the data (parsed, mutated, dumped again) ------------------------------------

WRONG_VALUES = st.one_of(
    st.text(max_size=20),
    st.lists(st.integers(-5, 5), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers(-5, 5), max_size=2),
    st.booleans(),
    st.none(),
    st.integers(min_value=10**18, max_value=10**60),
    st.integers(max_value=-1),
    st.floats(max_value=-1e-9),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e308]),
    st.dates(),
)
OUT_OF_RANGE = st.sampled_from(
    [1.5, -0.5, -1, 0, 0.0, 100_001, 10**30, -(10**30), 1e-320, math.nan, math.inf, -math.inf]
)


def _typo(word: str, draw: Callable[[st.SearchStrategy[Any]], Any]) -> str:
    i = draw(st.integers(0, max(len(word) - 1, 0)))
    kind = draw(st.sampled_from(["drop", "double", "swap", "upper", "plural", "dash", "char"]))
    if kind == "drop" and len(word) > 1:
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[: i + 1] + word[i:]
    if kind == "swap" and len(word) > 1:
        i = min(i, len(word) - 2)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "upper":
        return word.upper() if word != word.upper() else word.lower()
    if kind == "dash":
        return word.replace("_", "-") if "_" in word else f"{word}-x"
    if kind == "char":
        return word[:i] + draw(st.sampled_from("aeiouxz_0")) + word[i + 1 :]
    return f"{word}s"


def delete_key(data: Any, draw: Callable[..., Any]) -> None:
    paths = [p for p in _paths(data) if isinstance(p[-1], str)]
    path = draw(st.sampled_from(paths))
    del _get(data, path[:-1])[path[-1]]


def wrong_type(data: Any, draw: Callable[..., Any]) -> None:
    path = draw(st.sampled_from(_paths(data)))
    _get(data, path[:-1])[path[-1]] = draw(WRONG_VALUES)


def out_of_range(data: Any, draw: Callable[..., Any]) -> None:
    paths = [p for p in _paths(data) if _is_number(_get(data, p))]
    if not paths:  # no number left: break the horizon instead
        data.setdefault("time", {})
        paths = [("time", "horizon")]
        if not isinstance(data["time"], dict):
            data["time"] = {}
    path = draw(st.sampled_from(paths))
    _get(data, path[:-1])[path[-1]] = draw(OUT_OF_RANGE)


def unknown_key(data: Any, draw: Callable[..., Any]) -> None:
    mappings = [()] + [p for p in _paths(data) if isinstance(_get(data, p), dict)]
    where = _get(data, draw(st.sampled_from(mappings)))
    name = _typo(draw(st.sampled_from(KNOWN_KEYS)), draw)
    where[name] = draw(st.one_of(st.integers(0, 3), st.text(max_size=5), st.none()))


DATA_MUTATIONS = [delete_key, wrong_type, out_of_range, unknown_key]


@st.composite
def data_mutated(draw: st.DrawFn) -> bytes:
    data = copy.deepcopy(SEED_DATA[draw(st.sampled_from(NAMES))])
    for mutate in draw(st.lists(st.sampled_from(DATA_MUTATIONS), min_size=1, max_size=3)):
        if isinstance(data, dict) and data:
            mutate(data, draw)
    return dump(data).encode("utf-8")


# --- mutations of the text ------------------------------------------------------------------

BAD_BYTES = st.one_of(
    st.binary(min_size=1, max_size=16),
    st.sampled_from(
        [
            b"\x00",
            b"\x01",
            b"\x07",
            b"\x08",
            b"\x0b",
            b"\x0c",
            b"\x1b[31m",
            b"\x7f",
            b"\xc2\x85",  # NEL: two in a plain key fold into a line break
            b"\xef\xbb\xbf",  # BOM in the middle
            b"\xe2\x80\xa8",  # LINE SEPARATOR
            b"\xff",
            b"\xfe\xff",
            b"\xc3",  # truncated sequence
            b"\xc0\x80",  # overlong NUL
            b"\xed\xa0\x80",  # encoded surrogate
            b"\xf8\x88\x80\x80\x80",
            b"\r",
            b"\t",
        ]
    ),
)
YAMLISH = st.text(alphabet=" \t:-[]{}&*!|>'\"#%@`?,.\\abcAB01\n", max_size=40)
TAGS = [
    f'!!python/object/apply:os.system ["touch {MARKER}"]',
    f'!!python/object/apply:subprocess.call [["touch", "{MARKER}"]]',
    f'!!python/object/new:os.system ["touch {MARKER}"]',
    f'!!python/object/apply:builtins.open ["{MARKER}", "w"]',
    f'!<tag:yaml.org,2002:python/object/apply:os.system> ["touch {MARKER}"]',
    "!!python/name:os.system",
    "!!python/module:os",
    "!!binary aGVsbG8=",
    "!!str 1",
    "!!float 0.5",
    "!custom x",
    "!custom {a: 1}",
]
TAG_DOCUMENTS = [
    f'--- !!python/object/apply:os.system ["touch {MARKER}"]\n',
    f'%TAG !p! tag:yaml.org,2002:python/object/apply:\n--- !p!os.system ["touch {MARKER}"]\n',
    f'%YAML 1.1\n---\nname: !!python/object/apply:os.system ["touch {MARKER}"]\n',
]
BILLION_LAUGHS = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{c}: &{c} [{','.join(['*' + p] * 9)}]"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "detente: *i",
        "",
    ]
)
# Plain scalars that YAML resolves to something other than a string, or almost does.
TRICKY_SCALARS = [
    *("0x", "0o", "0b", "0x_1", "0b1_", "0o8", "0x1g", "-0x1", "+0x1", "1_000", "1__0", "_1"),
    *("1:2:3", "190:20:30", ".5e", "1e", "1e+", "0.", ".", "+", "1e400", "-1e400", "1e-400"),
    *("+.inf", "-.inf", ".NaN", "-.nan", "~", "null", "NULL", "y", "yes", "on", "tRue", "TRUE"),
    *("0001-01-01", "9999-12-31T23:59:59-23:59", "2020-01-01T00:00:00.9999999999", "2020-1-1"),
    *("2020-01-01 10:00:00", "2020-01-01T00:00:00Z", "10000-01-01", "=", "<<", "{x, y}"),
    "1" * 4300,
    "0x" + "f" * 4000,
]
# Scalars that YAML matches as an int, a date or a time but cannot construct: ruamel
# raises a plain IndexError or ValueError for them (once an internal error, exit 1).
UNCONSTRUCTIBLE = [
    *("0x_", "0o_", "0b_", "0x___"),  # IndexError in ruamel's int constructor
    *("2020-13-01", "2020-00-10", "2020-02-30"),  # ValueError: invalid date
    *("2020-01-01T24:00:00", "2020-01-01T23:59:60", "2020-01-01T00:00:00+99:00"),
    "1" * 4301,  # ValueError: more digits than int() converts
    "-" + "1" * 5000,
]
# Whole lines YAML accepts but a scenario cannot hold: merge keys, keys that are not
# text or contain line breaks, control characters in keys.
ODD_LINES = [
    "<<: {name: x}",
    "<<: [{name: x}, {title: y}]",
    "<<: 1",
    "? [{a: 1}]\n: 1",
    "? - a: 1",
    "? {a: [1]}\n: 1",
    "? |\n  block\n  key\n: 1",
    '"line\\nbreak": 1',
    '"ret\\rurn\\e[31m": 1',
    "1: one",
    "~: null key",
]
_VALUE_LINE = re.compile(rb"^( *(?:- )?[A-Za-z_][\w-]*:) +\S.*$", re.MULTILINE)


def nesting(depth: int, style: str) -> str:
    """A value nested ``depth`` levels deep, written in ``style``."""
    if style == "flow-list":
        return "[" * depth + "1" + "]" * depth
    if style == "flow-map":
        return "{a: " * depth + "1" + "}" * depth
    if style == "mixed":
        return "[{a: " * (depth // 2) + "1" + "}]" * (depth // 2)
    if style == "block-seq":
        return "\n" + "  " + "- " * depth + "1"
    # block mappings, each one level further indented
    return "".join(f"\n{'  ' * (i + 1)}a:" for i in range(depth)) + " 1"


@functools.cache
def oversize() -> bytes:
    """A scenario padded with comments to a few MiB over the limit (built once)."""
    base = SEED_TEXT["fearon"].encode("utf-8")
    filler = b"# " + b"x" * 1021 + b"\n"
    return base + filler * ((MAX_BYTES + 3 * 1024 * 1024) // len(filler))


@st.composite
def text_mutated(draw: st.DrawFn) -> bytes:
    seed = draw(st.sampled_from(NAMES))
    raw = draw(st.sampled_from([SEED_TEXT[seed], dump(SEED_DATA[seed])])).encode("utf-8")
    kind = draw(
        st.sampled_from(
            [
                "garbage",
                "truncate",
                "line",
                "tag",
                "tag-document",
                "anchor",
                "billion-laughs",
                "nesting",
                "scalar",
                "odd-line",
                "huge",
            ]
        )
    )
    at = draw(st.integers(0, len(raw)))
    if kind == "garbage":
        for _ in range(draw(st.integers(1, 3))):
            at = draw(st.integers(0, len(raw)))
            raw = raw[:at] + draw(BAD_BYTES) + raw[at:]
        return raw
    if kind == "truncate":
        return raw[:at]
    lines = raw.split(b"\n")
    if kind == "line":
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = draw(YAMLISH).encode("utf-8")
        return b"\n".join(lines)
    if kind == "tag-document":
        return draw(st.sampled_from(TAG_DOCUMENTS)).encode("utf-8") + draw(
            st.sampled_from([b"", raw])
        )
    if kind == "odd-line":
        return draw(st.sampled_from(ODD_LINES)).encode("utf-8") + b"\n" + raw
    if kind == "billion-laughs":
        return BILLION_LAUGHS.encode("utf-8")
    if kind == "huge":
        return oversize()
    values = list(_VALUE_LINE.finditer(raw))
    match = draw(st.sampled_from(values))
    if kind == "tag":
        new = draw(st.sampled_from(TAGS))
    elif kind == "scalar":
        new = draw(st.sampled_from(TRICKY_SCALARS + UNCONSTRUCTIBLE))
    elif kind == "anchor":
        other = draw(st.sampled_from(values))
        anchor = match[1] + b" &x " + raw[match.end(1) : match.end()].strip()
        alias = other[1] + b" *x"
        if other.start() == match.start():
            return raw[: match.start()] + anchor + raw[match.end() :]
        first, second = sorted([(match, anchor), (other, alias)], key=lambda t: t[0].start())
        return (
            raw[: first[0].start()]
            + first[1]
            + raw[first[0].end() : second[0].start()]
            + second[1]
            + raw[second[0].end() :]
        )
    else:
        depth = draw(st.integers(MAX_DEPTH - 4, 4 * MAX_DEPTH))
        style = draw(st.sampled_from(["flow-list", "flow-map", "mixed", "block-seq", "block-map"]))
        new = nesting(depth, style)
    return raw[: match.end(1)] + b" " + new.encode("utf-8") + raw[match.end() :]


MUTATED = st.one_of(data_mutated(), text_mutated())


# --- the property ---------------------------------------------------------------------------


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=MUTATED)
def test_validate_mutated_scenario(
    content: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "PWNED"
    path = tmp_path / "mutated.yaml"
    path.write_bytes(content.replace(MARKER.encode(), str(marker).encode()))
    code, out, err = validate(path, capsys)
    check_outcome(code, out, err, path, marker)


@pytest.mark.parametrize("name", NAMES)
def test_unmutated_seeds_validate(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The fuzzing starts from valid files, both as written and as dumped again.
    for i, text in enumerate([SEED_TEXT[name], dump(SEED_DATA[name])]):
        path = tmp_path / f"{name}-{i}.yaml"
        path.write_text(text, encoding="utf-8")
        code, out, err = validate(path, capsys)
        assert (code, err) == (0, ""), err
        assert "valid" in out


# --- the dangerous inputs, one by one -------------------------------------------------------


def _only(
    content: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[list[str], Path]:
    marker = tmp_path / "PWNED"
    path = tmp_path / "bad.yaml"
    path.write_bytes(content.replace(MARKER.encode(), str(marker).encode()))
    code, out, err = validate(path, capsys)
    lines = check_outcome(code, out, err, path, marker)
    assert code == 2
    return lines, path


@pytest.mark.parametrize("payload", TAGS + [t.rstrip("\n") for t in TAG_DOCUMENTS])
def test_tag_payload_is_refused_and_never_runs(
    payload: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = payload + "\n" if payload.startswith(("---", "%")) else f"name: {payload}\n"
    lines, path = _only(text.encode(), tmp_path, capsys)
    assert any("tags" in line for line in lines), lines
    assert lines[0].startswith(f"{path}:") and not (tmp_path / "PWNED").exists()


def test_tag_inside_valid_scenario_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = SEED_TEXT["fearon"].replace(
        "    value: 0.5\n", f'    value: !!python/object/apply:os.system ["touch {MARKER}"]\n'
    )
    row = text.splitlines().index(f'    value: !!python/object/apply:os.system ["touch {MARKER}"]')
    lines, path = _only(text.encode(), tmp_path, capsys)
    assert lines == [f"{path}:{row + 1}:12: YAML tags (!...) are not allowed in scenarios"]


def test_billion_laughs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines, _ = _only(BILLION_LAUGHS.encode(), tmp_path, capsys)
    assert any("anchors" in line for line in lines), lines


def test_anchor_and_alias_in_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = SEED_TEXT["battles"].replace("A: 0.01 ", "A: &c 0.01 ").replace("B: 0.01", "B: *c")
    lines, _ = _only(text.encode(), tmp_path, capsys)
    assert len(lines) == 2 and all("anchors and aliases" in line for line in lines), lines


@pytest.mark.parametrize("style", ["flow-list", "flow-map", "mixed", "block-seq", "block-map"])
def test_deep_nesting(style: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines, _ = _only(f"a: {nesting(200, style)}\n".encode(), tmp_path, capsys)
    assert lines == [lines[0]] and "nested" in lines[0], lines
    assert f"more than {MAX_DEPTH} levels" in lines[0]


def test_nesting_at_the_limit_is_parsed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # One level for the top mapping, MAX_DEPTH - 1 for the value: parsed, then the schema speaks.
    lines, _ = _only(f"a: {nesting(MAX_DEPTH - 1, 'flow-list')}\n".encode(), tmp_path, capsys)
    assert not any("nested" in line for line in lines), lines


def test_file_over_the_size_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = oversize()
    assert len(content) > MAX_BYTES + 2 * 1024 * 1024
    lines, path = _only(content, tmp_path, capsys)
    assert lines == [
        f"{path}:1:1: file too large ({len(content):,} bytes; the limit is {MAX_BYTES:,})"
    ]


def test_large_valid_yaml_with_many_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # About 1 MiB of well-formed YAML under the limit: every key is reported, each at its line.
    n = 10_000
    text = SEED_TEXT["rubinstein"] + "".join(f"extra_{i}: {'v' * 96}\n" for i in range(n))
    assert 1024 * 1024 < len(text) < MAX_BYTES
    lines, path = _only(text.encode(), tmp_path, capsys)
    offset = SEED_TEXT["rubinstein"].count("\n")
    assert len(lines) == n
    assert lines[0] == f"{path}:{offset + 1}:1: extra_0: unknown field 'extra_0'"
    assert lines[-1].startswith(f"{path}:{offset + n}:1: extra_{n - 1}: unknown field")


@pytest.mark.parametrize(
    ("bad", "row", "col"),
    [(b"\xff", 3, 8), (b"\xc3(", 3, 8), (b"\xed\xa0\x80", 3, 8), (b"\xc0\x80", 3, 8)],
)
def test_invalid_utf8(
    bad: bytes, row: int, col: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = b"detente: 1\nname: x\ntitle: " + bad + b"\n"
    lines, path = _only(content, tmp_path, capsys)
    assert len(lines) == 1 and "UTF-8" in lines[0], lines
    assert lines[0].startswith(f"{path}:{row}:{col}: ")


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\ufffe"])
def test_control_characters(char: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = f"detente: 1\nname: a{char}b\n".encode()
    lines, path = _only(content, tmp_path, capsys)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}:2:8: "), lines
    assert "character" in lines[0], lines


def test_nul_byte_in_real_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = SEED_TEXT["lanchester"]
    at = text.index("law: square") + len("law: squ")
    content = (text[:at] + "\x00" + text[at:]).encode()
    lines, path = _only(content, tmp_path, capsys)
    row, col = text[:at].count("\n") + 1, at - text.rfind("\n", 0, at)
    assert lines == [
        f"{path}:{row}:{col}: YAML error: unacceptable character #x0000: "
        "special characters are not allowed"
    ]


@pytest.mark.parametrize(
    ("edit", "shown"),
    [
        (
            (
                "  A: {role: belligerent, label: Side A}",
                '  "A\\nB": {role: belligerent, label: Side A}',
            ),
            "parties.A\\nB: ",
        ),
        (("negotiation:\n", 'negotiation:\n  "typo\\nkey": 1\n'), "negotiation.typo\\nkey: "),
        (
            ("negotiation:\n", "negotiation:\n  ? |\n    block\n    key\n  : 1\n"),
            "negotiation.block\\nkey\\n: ",
        ),
        # Two NELs (U+0085) in a plain key fold into a line break.
        (("negotiation:\n", "negotiation:\n  ta\x85\x85ble: 1\n"), "negotiation.ta\\nble: "),
        (("negotiation:\n", 'negotiation:\n  "ta\\r\\eb": 1\n'), "negotiation.ta\\r\\x1bb: "),
    ],
)
def test_line_break_in_key_stays_on_one_line(
    edit: tuple[str, str], shown: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A key with a line break or a control character is shown escaped: one problem, one line.
    text = SEED_TEXT["fearon"].replace(*edit, 1)
    lines, _ = _only(text.encode(), tmp_path, capsys)
    assert len(lines) == 1 and shown in lines[0], lines


@pytest.mark.parametrize("value", UNCONSTRUCTIBLE, ids=lambda value: value[:30])
def test_unconstructible_scalar_is_located(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines, path = _only(f"time:\n  start: {value}\n".encode(), tmp_path, capsys)
    assert len(lines) == 1 and lines[0].startswith(f"{path}:2:10: "), lines


@pytest.mark.parametrize(
    ("text", "col"),
    [("<<: {name: x}\n", 1), ("time: {<<: {horizon: 3}}\n", 7), ("<<: [{name: x}]\n", 1)],
)
def test_merge_key_is_refused(
    text: str, col: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines, path = _only(text.encode(), tmp_path, capsys)
    assert f"{path}:1:{col}: YAML merge keys (<<) are not supported" in lines, lines


@pytest.mark.parametrize("text", ["? [{a: 1}]\n: 1\n", "? - a: 1\n", "? [[1]]\n: 1\n"])
def test_unhashable_key_is_located(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines, path = _only(text.encode(), tmp_path, capsys)
    assert len(lines) == 1 and lines[0].startswith(f"{path}:1:"), lines


@pytest.mark.parametrize(
    "text",
    [
        f'a: !!python/object/apply:os.system ["touch {MARKER}"]\n',
        "time:\n  start: 2020-02-30\n",
        "a: " + "[" * 200 + "]" * 200 + "\n",
    ],
    ids=["tag", "bad-date", "nesting"],
)
def test_console_script_on_bad_input(text: str, tmp_path: Path) -> None:
    # The real entry point, in a fresh interpreter: exit 2, located lines, no traceback.
    marker = tmp_path / "PWNED"
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace(MARKER, str(marker)), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "detente.cli", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lines = check_outcome(done.returncode, done.stdout, done.stderr, path, marker)
    assert done.returncode == 2 and len(lines) == 1, done.stderr
