"""The fast validators (model/fast.py): whatever they accept, the models accept, building the same objects.

That is all ``build`` needs from them: a document the fast validator refuses is validated again
by its model, so every error, message and location comes from the model as before.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from benchmarks.generate import generate
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError
from tests.conftest import REPO

from relpolicy.model.build import build
from relpolicy.model.fast import fast_schema, fast_validator, schema_nodes
from relpolicy.model.kinds import KINDS, LANGUAGE
from relpolicy.model.service import Service
from relpolicy.model.types import FAST_SCHEMA_KEY
from relpolicy.source.loader import discover, load
from relpolicy.source.parse import ParsedDocument

Path_ = tuple[str | int, ...]

TRICKY: tuple[Any, ...] = (
    None, "", " ", " x", "x ", "x\n", "\x1c", "\x1cx", "\ufeff", "a", "Ab", "a" * 63, "a" * 64, "-a", "a-", "1",
    0, 1, 2, 4, 5, -1, 1.0, 2.0, 2.5, True, False, 99.9, 100, 0.0, 1e-9, math.nan, math.inf, 2**70,
    "0s", "0m", "30d", "1h30m", "1w", "4h", "36601d", "99999999999999999999w", "300ms", "0ms", "2s", "month",
    "P1", "P0", "scheduled", "2026-02-30", "2026-01-01", "2026-12-24T18:00:00Z", "2026-12-24T18:00:00",
    "2026-12-24T18:00:00+01:00", "02:00", "24:00", "09:00-17:30", "22:00-24:00", "UTC", "Europe/London", "Mars/Base",
    "US", "us", "ENG", "FREQ=WEEKLY;BYDAY=SU", "FREQ=WEEKLY;BYDAY=XX", "a@b.co", "a@b", "example.com/team",
    "availability", "latency", "hard", "soft", "outage", [], {}, ["a"], ["a", "b"], {"a": "b"}, [None], {"a": None},
    "0001-01-01", "9999-12-31", "2199-12-31", "2200-01-01", "1970-01-01T00:00:00Z", "1969-12-31T23:00:00-05:00",
    "9999-12-31T23:59:59Z", 1_000_000, 1_000_001, 10**30, "9999d", "10000d", "999w", "1000w", "0000000000001h",
    "FREQ=SECONDLY", "FREQ=MINUTELY;INTERVAL=5", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "FREQ=WEEKLY;INTERVAL=1001",
    "FREQ=DAILY;COUNT=3;UNTIL=20300101T000000Z", "FREQ=WEEKLY;BYDAY=SU;" + "X=1;" * 70,
)  # fmt: skip
"""Values written where any field may be: every shape the value types treat specially."""


def _python_name(key: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)


@cache
def _documents() -> tuple[dict[str, Any], ...]:
    """The example organisation, the broken one, and a small generated repo: every kind, many shapes."""
    roots = [REPO / "policies", REPO / "tests" / "fixtures" / "broken-org"]
    loaded = load(discover(roots), REPO)
    return tuple(d.data for d in loaded.documents if isinstance(d.data, dict) and _model(d.data) is not None)


def _generated(root: Path) -> tuple[dict[str, Any], ...]:
    generate(root, 40, seed=3)
    return tuple(d.data for d in load(discover([root]), root).documents)


def _model(data: dict[str, Any]) -> type[BaseModel] | None:
    api_version, kind = data.get("apiVersion"), data.get("kind")
    return LANGUAGE.model(api_version, kind) if isinstance(api_version, str) and isinstance(kind, str) else None


def _results(data: dict[str, Any]) -> tuple[Any, Any]:
    """What the fast validator and the model make of a document of a known kind."""
    model = _model(data)
    assert model is not None
    return _fast_result(model, data), _model_result(model, data)


def _snapshot(value: Any) -> Any:
    """Everything a rule can see of a validated value: types, fields given, values."""
    if isinstance(value, BaseModel):
        fields = {name: _snapshot(getattr(value, name)) for name in type(value).model_fields}
        return type(value), sorted(value.model_fields_set), fields
    if isinstance(value, list | tuple):
        return type(value), [_snapshot(item) for item in value]
    if isinstance(value, dict):
        return type(value), [(_snapshot(k), _snapshot(v)) for k, v in value.items()]
    if isinstance(value, dt.datetime):
        return type(value), repr(value), repr(value.tzinfo)
    return type(value), repr(value)


def _model_result(model: type[BaseModel], data: Any) -> Any:
    try:
        return _snapshot(model.model_validate(data))
    except ValidationError:
        return "refused"


def _fast_result(model: type[BaseModel], data: Any) -> Any:
    try:
        return _snapshot(fast_validator(model).validate_python(data))
    except ValidationError:
        return "refused"


def _paths(node: Any, path: Path_ = ()) -> Iterator[Path_]:
    """Every node below the root, mapping values and list items alike."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        yield (*path, key)
        yield from _paths(child, (*path, key))


def _replaced(node: Any, path: Path_, value: Any) -> Any:
    """``node`` with the value at ``path`` replaced, sharing what the path does not go through."""
    if not path:
        return value
    head, *rest = path
    copied = dict(node) if isinstance(node, dict) else list(node)
    copied[head] = _replaced(node[head], tuple(rest), value)  # type: ignore[index]
    return copied


def test_every_example_document_takes_the_fast_path(tmp_path: Path) -> None:
    """Clean documents never need the model: the fast validator builds exactly what the model builds."""
    documents = [*_documents(), *_generated(tmp_path)]
    results = [_results(data) for data in documents]
    accepted = [fast for fast, reference in results if reference != "refused"]
    assert len(accepted) > 150
    assert "refused" not in accepted
    assert all(fast == reference for fast, reference in results if fast != "refused")


def test_one_value_changed_anywhere() -> None:
    """Every single-value change of one document per kind: the fast validator never accepts what the model refuses."""
    largest: dict[type[BaseModel], dict[str, Any]] = {}
    for data in _documents():
        model = _model(data)
        if model is not None and len(list(_paths(data))) > len(list(_paths(largest.get(model, {})))):
            largest[model] = data
    assert set(largest) == set(KINDS)
    outcomes = {"accepted": 0, "refused": 0}
    for model, data in largest.items():
        for path in _paths(data):
            if any(isinstance(part, int) and part > 0 for part in path):
                continue  # the first item of a list stands for the others
            for value in TRICKY:
                mutated = _replaced(data, path, value)
                fast = _fast_result(model, mutated)
                if fast != "refused":
                    assert fast == _model_result(model, mutated), (model.__name__, path, value)
                outcomes["accepted" if fast != "refused" else "refused"] += 1
    assert min(outcomes.values()) > 1000, outcomes


@st.composite
def _mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A document with 1-4 changes; new values are tricky ones or values found elsewhere in the document."""
    data = copy.deepcopy(draw(st.sampled_from(_documents())))
    found = [value for path in _paths(data) if not isinstance(value := _at(data, path), dict | list)]
    values = st.sampled_from(TRICKY) | st.sampled_from(found)
    for _ in range(draw(st.integers(1, 4))):
        paths = [path for path in _paths(data) if path not in (("apiVersion",), ("kind",))]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _at(data, path[:-1]), path[-1]
        action = draw(st.sampled_from(["value", "value", "delete", "python name", "add"]))
        if action == "value" or not isinstance(parent, dict):
            parent[key] = copy.deepcopy(draw(values))
        elif action == "delete":
            del parent[key]
        elif action == "python name" and isinstance(key, str):
            parent[_python_name(key)] = parent.pop(key)
        else:
            key = draw(st.sampled_from([*map(str, parent), "displayName", "display_name", "note", "x"]))
            parent[key] = copy.deepcopy(draw(values))
    return data


def _at(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


@given(_mutated())
def test_random_changes(data: dict[str, Any]) -> None:
    """Deleted keys, keys by their Python name (`display_name`, which the models also take), added values."""
    if _model(data) is not None:
        fast, reference = _results(data)
        assert fast in ("refused", reference)


def test_build_falls_back_to_the_model() -> None:
    """What only the model takes (a tier written 2.0, a null given by Python name) is still built."""
    service = next(d for d in _documents() if d["kind"] == "Service" and d["metadata"]["name"] == "checkout")
    metadata = {key: value for key, value in service["metadata"].items() if key != "displayName"}
    lenient = {**service, "metadata": {**metadata, "display_name": None}}
    lenient["spec"] = {**service["spec"], "tier": float(service["spec"]["tier"])}
    assert _fast_result(Service, lenient) == "refused"
    (built,) = build([_parsed(lenient)]).built
    assert isinstance(built.resource, Service)
    assert (built.resource.spec.tier, built.resource.metadata.display_name) == (service["spec"]["tier"], None)


def _parsed(data: dict[str, Any]) -> ParsedDocument:
    reference = load(discover([REPO / "policies"]), REPO).documents[0]
    return ParsedDocument(0, data, reference.positions)


@pytest.mark.parametrize("model", KINDS, ids=lambda model: model.KIND)
def test_fast_schemas_call_python_only_where_they_must(model: type[BaseModel]) -> None:
    """No null is accepted, no stand-in is left unused, and only rare fields keep a Python validator per value."""
    nodes = list(schema_nodes(fast_schema(model.__pydantic_core_schema__)))
    assert [n["type"] for n in nodes if n["type"] in ("nullable", "none", "any")] == []
    assert [n for n in nodes if FAST_SCHEMA_KEY in n.get("metadata", {})] == []
    per_value = [
        n["function"]["function"] for n in nodes if n["type"] in ("function-before", "function-wrap", "function-plain")
    ]
    assert {f.__qualname__ for f in per_value} <= {"_timezone"}
    for function in per_value:  # they refuse a null themselves
        with pytest.raises(PydanticCustomError):
            function(None)
