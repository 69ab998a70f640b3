"""Loader properties: any input gives findings located inside its file and never an exception;
documents the JSON Schemas accept are accepted by the models; recorded key positions are exact.

hypothesis-jsonschema (0.23.1) cannot generate objects with the installed Hypothesis (6.170): it
calls ``cu.many(...).more()``, an internal API that Hypothesis has removed, so every object schema
fails with ``AttributeError: 'many' object has no attribute 'more'``. :func:`from_json_schema`
below generates instances for the keywords our schemas use instead, and only documents that
``jsonschema.Draft202012Validator`` accepts are tested.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import zoneinfo
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, Phase, assume, given, note, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from relpolicy.engine import Report, check
from relpolicy.model.build import build
from relpolicy.model.kinds import KINDS
from relpolicy.model.maintenance import MaintenanceWindowSpec
from relpolicy.model.slo import LATENCY_PATTERN
from relpolicy.model.types import DURATION_PATTERN, MAX_DURATION, MAX_YEAR, MIN_YEAR, parse_duration
from relpolicy.schema import kind_file, render_schemas
from relpolicy.source.parse import parse_yaml
from relpolicy.timebase.daysoff import HolidaySourceError, check_source
from relpolicy.timebase.recurrence import Recurrence, RecurrenceError

AS_OF = dt.date(2026, 11, 26)
API_VERSION = "relpolicy.dev/v1"
KIND_NAMES = [model.KIND for model in KINDS]
MODELS = {model.KIND: model for model in KINDS}
FILE = "policies/fuzz.yaml"

LINE_BREAK = re.compile(r"\r\n|\r|\n")
"""Line ends as editors and libyaml agree on them."""
UNICODE_BREAKS = "\x85\u2028\u2029"
"""NEL, LS and PS end lines for libyaml (YAML 1.1) but not in most editors: left out of the text
properties, where "inside the file" would have no single meaning."""


# --- Any file: findings inside it, never an exception ------------------------------------------


@pytest.fixture(scope="module")
def policy_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The one file of a policy root; each example rewrites it (examples share the fixture)."""
    root = tmp_path_factory.mktemp("fuzz") / "policies"
    root.mkdir()
    return root / "fuzz.yaml"


def check_file(path: Path, data: bytes) -> Report:
    path.write_bytes(data)
    return check([path.parent], as_of=AS_OF, base=path.parent.parent)


def file_lines(data: bytes) -> list[str]:
    """The lines a location counts: split at CR, LF and CRLF (at LF only if not UTF-8, as RP100 does)."""
    try:
        return LINE_BREAK.split(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return [line.decode("utf-8", errors="replace") for line in data.split(b"\n")]


def assert_located_inside(report: Report, data: bytes) -> None:
    """Every finding is in this file, on one of its lines and at a column of that line.

    A file whose last line has no line break may get one finding just past its end (libyaml
    reports the end of the stream at the start of the next line): ``line <= lines + 1``.
    """
    lines = file_lines(data)
    assert report.files == 1
    for finding in report.findings:
        loc = finding.location
        note(f"{finding.rule_id} {loc.line}:{loc.col} {finding.message}")
        assert loc.path == FILE
        assert 1 <= loc.line <= len(lines) + 1
        if loc.line <= len(lines):
            assert 1 <= loc.col <= len(lines[loc.line - 1]) + 1
        else:
            assert loc.col == 1
            assert lines[-1] != ""
        assert (loc.end_line, loc.end_col) >= (loc.line, loc.col)
        for related in finding.related:
            assert related.location.path == FILE
            assert 1 <= related.location.line <= len(lines)


def without_unicode_breaks(data: bytes) -> bool:
    return not any(c.encode() in data for c in UNICODE_BREAKS)


@given(data=st.binary(max_size=400).filter(without_unicode_breaks))
def test_arbitrary_bytes_give_located_findings(policy_file: Path, data: bytes) -> None:
    assert_located_inside(check_file(policy_file, data), data)


text_characters = st.characters(exclude_characters=UNICODE_BREAKS, exclude_categories=["Cs"])


@given(text=st.text(text_characters, max_size=300))
def test_arbitrary_text_gives_located_findings(policy_file: Path, text: str) -> None:
    data = text.encode()
    assert_located_inside(check_file(policy_file, data), data)


YAML_TOKENS = [
    "\n", "\r\n", "\r", " ", "  ", "\t", "- ", ": ", ":", "? ", ",", "[", "]", "{", "}", "#", "'", '"', "|", ">",
    "---", "...", "&a ", "*a", "&b ", "*b", "<<: ", "!!str ", "!!int ", "!x ", "%YAML 1.2\n", "\\", "\ufeff",
    "\x00", "\x07", "é", "😀", "apiVersion: relpolicy.dev/v1\n", "kind: Team\n", "metadata:", "name", "spec:",
    "0x1F", "1e5", ".inf", "~", "null", "true", "NO", "02:00", "2026-12-25",
]  # fmt: skip


@given(parts=st.lists(st.sampled_from(YAML_TOKENS) | st.text(text_characters, max_size=4), max_size=60))
def test_yaml_like_text_gives_located_findings(policy_file: Path, parts: list[str]) -> None:
    """Text made of YAML punctuation reaches much more of the parser than uniform characters."""
    data = "".join(parts).encode()
    assert_located_inside(check_file(policy_file, data), data)


# --- JSON-like data dumped by PyYAML -----------------------------------------------------------

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
json_like = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=25,
)
envelopes = st.fixed_dictionaries(
    {
        "apiVersion": st.just(API_VERSION) | st.text(max_size=12),
        "kind": st.sampled_from(KIND_NAMES) | st.text(max_size=12),
        "metadata": st.fixed_dictionaries({"name": st.from_regex(r"\A[a-z][-a-z0-9]{0,10}\Z") | json_like}),
        "spec": json_like,
    }
)


@given(
    document=json_like | envelopes,
    flow=st.sampled_from([False, True, None]),
    unicode=st.booleans(),
    sort_keys=st.booleans(),
)
def test_dumped_data_gives_located_findings(
    policy_file: Path, document: Any, flow: bool | None, unicode: bool, sort_keys: bool
) -> None:
    text = yaml.safe_dump(document, default_flow_style=flow, allow_unicode=unicode, sort_keys=sort_keys)
    data = text.encode()
    if without_unicode_breaks(data):
        assert_located_inside(check_file(policy_file, data), data)
    else:  # PyYAML writes NEL, LS and PS raw with allow_unicode: only check that nothing raises
        check_file(policy_file, data)


# --- Documents generated from the JSON Schemas -------------------------------------------------


@cache
def schemas() -> dict[str, dict[str, Any]]:
    return {name: json.loads(text) for name, text in render_schemas().items()}


ZONES = sorted(zoneinfo.available_timezones())
OFFSETS = st.integers(-14 * 60, 14 * 60).map(lambda minutes: dt.timezone(dt.timedelta(minutes=minutes)))
small_json = st.recursive(scalars, lambda children: st.lists(children, max_size=2), max_leaves=3)


FIRST_DAY = dt.date(MIN_YEAR, 1, 2)  # a day in, so that no UTC offset takes an instant out of range
LAST_DAY = dt.date(MAX_YEAR, 12, 30)


def _semantic_values(schema: dict[str, Any]) -> st.SearchStrategy[Any] | None:
    """Values for what the schema cannot say: real dates (in the years the models take), and real time zone names.

    Dates outside MIN_YEAR..MAX_YEAR are the hostile tests' business (tests/hostile/test_edge_values.py);
    drawn from all of 1..9999, two date-times in one document would both land in range once in ~2,000 draws.
    """
    if schema.get("format") == "date":
        return st.dates(FIRST_DAY, LAST_DAY).map(dt.date.isoformat)
    if schema.get("format") == "date-time":
        return st.datetimes(
            dt.datetime.combine(FIRST_DAY, dt.time()),
            dt.datetime.combine(LAST_DAY, dt.time()),
            timezones=st.just(dt.UTC) | OFFSETS,
        ).map(dt.datetime.isoformat)
    if "IANA time zone" in schema.get("description", ""):
        return st.sampled_from(ZONES)
    return None


def _constraint_only(schema: dict[str, Any]) -> bool:
    return set(schema) <= {"required", "not"}


_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {}


def from_json_schema(schema: dict[str, Any], root: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Instances of ``schema`` (``$ref`` resolved in ``root``), mostly valid; filter to be sure.

    ``integer`` also yields integral floats (``2.0``), which JSON Schema counts as integers, and
    objects that do not forbid additional properties get some: the schema allows both.
    """
    key = json.dumps([schema, root.get("$id")], sort_keys=True)
    if key not in _STRATEGIES:  # built once: Hypothesis validates every new strategy
        _STRATEGIES[key] = _from_json_schema(schema, root)
    return _STRATEGIES[key]


def _from_json_schema(schema: dict[str, Any], root: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return st.deferred(lambda: from_json_schema(root["$defs"][name], root))
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    semantic = _semantic_values(schema)
    if semantic is not None:
        return semantic
    for keyword in ("anyOf", "oneOf"):
        branches = schema.get(keyword, [])
        if branches and not all(_constraint_only(b) for b in branches):
            return st.one_of([from_json_schema({**schema, keyword: [], **b}, root) for b in branches])
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return _objects(schema, root)
    if kind == "array":
        low = schema.get("minItems", 0)
        return st.lists(from_json_schema(schema.get("items", {}), root), min_size=low, max_size=low + 2)
    if kind == "string":
        low = schema.get("minLength", 0)
        text = ecma_regex(schema["pattern"]) if "pattern" in schema else st.text(max_size=12)
        return text.filter(lambda s: len(s) >= low)
    if kind in ("number", "integer"):
        return _numbers(schema, integer=kind == "integer")
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    return small_json


def ecma_regex(pattern: str) -> st.SearchStrategy[str]:
    """Strings matching ``pattern`` as ECMA 262 reads it: ``$`` is the very end, not before a final newline."""
    return st.from_regex(re.sub(r"(?<!\\)\$", r"\\Z", pattern))


def _numbers(schema: dict[str, Any], *, integer: bool) -> st.SearchStrategy[int | float]:
    low = schema.get("minimum", schema.get("exclusiveMinimum", -(10**6)))
    high = schema.get("maximum", schema.get("exclusiveMaximum", 10**6))

    def inside(x: float) -> bool:
        return schema.get("exclusiveMinimum", x - 1) < x < schema.get("exclusiveMaximum", x + 1) and low <= x <= high

    whole = st.integers(int(low), int(high))
    fractional = whole.map(float) if integer else st.floats(low, high, allow_nan=False)
    return (whole | fractional).filter(inside)


def _objects(schema: dict[str, Any], root: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties: dict[str, Any] = schema.get("properties", {})
    choices = [schema.get("oneOf", []), schema.get("anyOf", [])]
    choices += [part["oneOf"] for part in schema.get("allOf", []) if "oneOf" in part]
    choices = [c for c in choices if c and all(_constraint_only(b) for b in c)]
    conditions = [part for part in schema.get("allOf", []) if "if" in part]
    extra = schema.get("additionalProperties", True) is not False
    values = {name: from_json_schema(value, root) for name, value in properties.items()}
    patterned = [
        (st.lists(ecma_regex(pattern), max_size=2), from_json_schema(value, root))
        for pattern, value in schema.get("patternProperties", {}).items()
    ]
    if "propertyNames" in schema:  # keys from the pattern, values from additionalProperties
        patterned.append(
            (
                st.lists(ecma_regex(schema["propertyNames"]["pattern"]), max_size=2),
                from_json_schema(schema.get("additionalProperties", {}), root),
            )
        )
        extra = False
    extra_keys = st.lists(st.text(max_size=8), max_size=1 if extra else 0)

    chosen_only = {key for branches in choices for branch in branches for key in branch.get("required", [])}
    optional = sorted(set(properties) - set(schema.get("required", [])) - chosen_only)

    @st.composite
    def draw_object(draw: st.DrawFn) -> dict[str, Any]:
        keys = set(schema.get("required", []))
        for branches in choices:  # satisfy each oneOf: the keys of one branch, not the others'
            keys |= set(draw(st.sampled_from(branches)).get("required", []))
        keys |= {name for name in optional if draw(st.booleans())}
        for condition in conditions:
            if set(condition["if"].get("required", [])) <= keys:
                keys |= set(condition["then"].get("required", []))
                keys -= set(condition["then"].get("not", {}).get("required", []))
        out = {name: draw(values[name]) for name in sorted(keys & set(properties))}
        for names, value in patterned:
            for name in draw(names):
                out.setdefault(name, draw(value))
        for name in draw(extra_keys):
            out.setdefault(name, draw(small_json))
        return out

    return draw_object()


def yaml_text(value: Any) -> str:
    """``value`` as one line of YAML that reads back equal (libyaml refuses JSON's surrogate pairs)."""
    if isinstance(value, str):
        escaped = "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08x}" for c in value)
        return f'"{escaped}"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_text(k)}: {yaml_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(yaml_text(v) for v in value) + "]"
    return json.dumps(value)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _too_long(text: str) -> bool:
    if re.fullmatch(LATENCY_PATTERN, text):
        return int(text.removesuffix("ms").removesuffix("s")) > MAX_DURATION.total_seconds()
    if not re.fullmatch(DURATION_PATTERN, text):
        return False
    try:
        parse_duration(text)
    except ValueError:
        return True
    return False


def _known_to_libraries(kind: str, spec: dict[str, Any]) -> bool:
    """Holiday regions the holidays library knows, and recurrences dateutil can expand."""
    try:
        if kind == "Calendar" and "country" in spec.get("holidays", {}):
            check_source(spec["holidays"]["country"], spec["holidays"].get("subdivision"))
        if kind == "MaintenanceWindow" and "rrule" in spec:
            Recurrence.of(MaintenanceWindowSpec.model_construct(**{**spec, "duration": dt.timedelta(hours=1)}))
    except (HolidaySourceError, RecurrenceError):
        return False
    return True


def possible(kind: str, document: dict[str, Any]) -> bool:
    """What the schema cannot express: durations up to 100 years; a change freeze ends after it starts;
    holiday regions and recurrences the libraries know."""
    if any(map(_too_long, _strings(document))) or not _known_to_libraries(kind, document["spec"]):
        return False
    if kind == "ChangeFreeze":
        spec = document["spec"]
        return dt.datetime.fromisoformat(spec["end"]) > dt.datetime.fromisoformat(spec["start"])
    return True


@cache
def schema_documents(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    schema = schemas()[kind_file(kind)]
    return from_json_schema(schema, schema).filter(jsonschema.Draft202012Validator(schema).is_valid)


def model_errors(document: dict[str, Any]) -> list[tuple[Any, str]]:
    try:
        MODELS[document["kind"]].model_validate(document)
    except ValidationError as error:
        return [(detail["loc"], detail["msg"]) for detail in error.errors()]
    return []


@pytest.mark.parametrize("kind", KIND_NAMES)
@settings(
    max_examples=30,
    report_multiple_bugs=False,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # "explain" takes 15 s a failure
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(data=st.data())
def test_documents_valid_by_the_schema_are_valid_for_the_models(kind: str, data: st.DataObject) -> None:
    document = data.draw(schema_documents(kind), label="document")
    assume(possible(kind, document))
    assert model_errors(document) == []

    # The same through the YAML reader and the builder, as `check` sees it.
    parsed = parse_yaml(yaml_text(document) + "\n", FILE)
    assert parsed.problems == []
    assert [d.data for d in parsed.documents] == [document]
    result = build(parsed.documents)
    assert result.problems == []
    assert len(result.built) == 1


def test_every_kind_has_a_schema() -> None:
    assert sorted(schemas()) == sorted([*map(kind_file, KIND_NAMES), "relpolicy-v1.json"])


TEAM = {
    "apiVersion": API_VERSION,
    "kind": "Team",
    "metadata": {"name": "payments"},
    "spec": {"coverage": "always", "members": [{"name": "Ana Lima", "email": "ana@example.com"}]},
}
SERVICE = {
    "apiVersion": API_VERSION,
    "kind": "Service",
    "metadata": {"name": "checkout"},
    "spec": {"description": "Takes orders.", "tier": 1, "owner": "payments", "dependsOn": [{"service": "db"}]},
}
WINDOW = {
    "apiVersion": API_VERSION,
    "kind": "MaintenanceWindow",
    "metadata": {"name": "sunday"},
    "spec": {"services": ["checkout"], "at": "2026-12-06T02:00:00Z", "duration": "2h"},
}
ESCALATION = {
    "apiVersion": API_VERSION,
    "kind": "EscalationPolicy",
    "metadata": {"name": "default"},
    "spec": {"steps": [{"after": "0m", "notify": [{"team": "payments"}]}]},
}


def changed(document: dict[str, Any], *path: str | int, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(document)
    node: Any = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def without(document: dict[str, Any], *path: str | int) -> dict[str, Any]:
    out = copy.deepcopy(document)
    node: Any = out
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return out


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(TEAM, id="team"),
        pytest.param(SERVICE, id="service"),
        pytest.param(WINDOW, id="window"),
        pytest.param(ESCALATION, id="escalation"),
        pytest.param(changed(TEAM, "metadata", "name", value="Payments"), id="name-with-capitals"),
        # The label key pattern is only under patternProperties (propertyNames has no pattern), so
        # for the schema any other key is an allowed additional property.
        pytest.param(changed(TEAM, "metadata", "labels", value={"not a key!": "x"}), id="label-key"),
        pytest.param(changed(TEAM, "metadata", "labels", value={"not a key!": 1}), id="label-key-with-a-number"),
        # JSON Schema counts 1.0 as an integer.
        pytest.param(changed(SERVICE, "spec", "tier", value=1.0), id="tier-1.0"),
        # `required` is met by a key whose value is null; the models take null as absent.
        pytest.param(changed(WINDOW, "spec", "services", value=None), id="window-services-null"),
        pytest.param(changed(WINDOW, "spec", "selector", value=None), id="window-services-and-selector-null"),
        pytest.param(changed(SERVICE, "spec", "dependsOn", value=[{"service": None}]), id="dependency-service-null"),
        pytest.param(
            changed(SERVICE, "spec", "dependsOn", value=[{"service": None, "anyOf": ["a", "b"]}]),
            id="dependency-anyOf-and-service-null",
        ),
        pytest.param(
            changed(ESCALATION, "spec", "steps", 0, "notify", value=[{"team": "payments", "person": None}]),
            id="target-team-and-person-null",
        ),
        pytest.param(without(SERVICE, "spec", "tier"), id="service-without-tier"),
    ],
)
def test_schema_and_models_agree_on(document: dict[str, Any]) -> None:
    schema_says = jsonschema.Draft202012Validator(schemas()[kind_file(document["kind"])]).is_valid(document)
    errors = model_errors(document)
    assert schema_says == (not errors), errors


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("metadata", "name"), "payments\n"),
        (("spec", "coverage"), "always\n"),
        (("spec", "members"), [{"name": "Ana Lima", "email": "ana@example.com\n"}]),
    ],
)
def test_patterns_do_not_match_before_a_final_newline(path: tuple[str, ...], value: Any) -> None:
    """Python's ``$`` also matches before a final newline; JSON Schema's (ECMA 262) does not.

    So ``name: |`` (a block scalar, which keeps its line break) gives a name that editors flag
    and relpolicy accepts.
    """
    assert model_errors(changed(TEAM, *path, value=value)) != []


# --- Positions ---------------------------------------------------------------------------------

keys = st.text(alphabet="abcxyzABC019 _-.", min_size=1, max_size=10)
mappings = st.recursive(
    st.dictionaries(keys, scalars, min_size=1, max_size=4),
    lambda children: st.dictionaries(
        keys, children | st.lists(children, min_size=1, max_size=2), min_size=1, max_size=4
    ),
    max_leaves=20,
)


def key_paths(node: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in [(*path, k), *key_paths(v, (*path, k))]]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in key_paths(v, (*path, i))]
    return []


@given(
    document=mappings,
    flow=st.sampled_from([False, True, None]),
    width=st.sampled_from([20, 80, 1000]),
    indent=st.sampled_from([2, 4]),
)
def test_recorded_key_positions_point_at_the_keys(
    document: dict[str, Any], flow: bool | None, width: int, indent: int
) -> None:
    text = yaml.safe_dump(document, default_flow_style=flow, width=width, indent=indent, sort_keys=False)
    note(text)
    parsed = parse_yaml(text, FILE)
    assert parsed.problems == []
    (parsed_document,) = parsed.documents
    positions = parsed_document.positions
    lines = LINE_BREAK.split(text)

    expected = key_paths(document)
    assert sorted(positions.keys, key=repr) == sorted(expected, key=repr)
    for path in expected:
        key = str(path[-1])
        line, col, end_line, end_col = positions.keys[path]
        assert line == end_line  # a simple key is on one line
        assert lines[line - 1][col - 1 :].startswith((key, f"'{key}", f'"{key}'))
        assert lines[line - 1][col - 1 : end_col - 1] in (key, f"'{key}'", f'"{key}"')
    for line, col, end_line, end_col in positions.values.values():
        assert 1 <= line <= end_line <= len(lines)
        assert 1 <= col <= len(lines[line - 1]) + 1
        assert 1 <= end_col <= len(lines[end_line - 1]) + 1
