"""A fast validator per kind, derived from its model; the model itself stays the reference.

A model's own validator calls back into Python for nearly every value: each name, duration and
percentage goes through its ``BeforeValidator``, and each mapping through ``_no_empty_values``.
At 10,000 services that is ~600,000 calls, most of the time spent validating. The fast
validator is the model's core schema with those callbacks replaced by work pydantic-core does
itself:

- every validator marked with a :class:`~relpolicy.model.types.FastSchema` is replaced by its
  stand-in (a strict string matched with the same regex, a strict int, a cached parse...);
- ``_no_empty_values`` is dropped, and so is every ``nullable``: the fast validator refuses a
  null anywhere, which covers all that ``_no_empty_values`` refuses (a null at a field) and more.

So the fast validator accepts a subset of what the model accepts, and builds the same model
objects from it. When it refuses a document, the model validates it again: a document it
accepts after all (a null where the model allows one) is built by the model, and a document
it refuses gets the model's own errors, messages and locations. Validation stays exactly the
model's; only clean documents are faster. ``tests/test_fast_validation.py`` checks both halves
of that argument on generated documents and on the schema itself.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from functools import cache
from typing import Any, Final

from pydantic import BaseModel
from pydantic_core import CoreSchema, SchemaValidator

from relpolicy.model.base import Model
from relpolicy.model.types import FAST_SCHEMA_KEY

_OPAQUE: Final = frozenset(
    {"metadata", "serialization", "config", "default", "function", "cls", "expected", "custom_error_context"}
)
"""Keys of a core schema whose values are not schemas (nor lists of schemas): copied as they are."""
_NAMED: Final = frozenset({"fields", "choices"})
"""Keys whose values may map names to schemas: a model's fields, a tagged union's members (by tag)."""
_BUILDING: Final = threading.Lock()
"""One fast validator is built at a time, since building marks model classes for a moment."""


@cache
def fast_validator(model: type[BaseModel]) -> SchemaValidator:
    """The fast validator of ``model``, built the first time a document of its kind is validated (< 1 ms)."""
    schema = fast_schema(model.__pydantic_core_schema__)
    models = {node["cls"] for node in schema_nodes(schema) if node["type"] == "model"}
    with _BUILDING, _own_validators_set_aside(models):
        return SchemaValidator(schema)


def fast_schema(schema: CoreSchema) -> CoreSchema:
    """``schema`` with every Python callback that has a stand-in replaced, and nulls refused."""
    faster: CoreSchema = _replace(schema)
    return faster


def _replace(node: Any) -> Any:
    """A copy of a core schema (or of a list of schemas) with the fast validator's changes."""
    if isinstance(node, list | tuple):
        return type(node)(_replace(item) for item in node)
    if not isinstance(node, dict) or "type" not in node:
        return node
    stand_in = node.get("metadata", {}).get(FAST_SCHEMA_KEY)
    if stand_in is not None:
        return stand_in
    if node["type"] == "nullable" or (node["type"] == "function-before" and _refuses_empty(node)):
        return _replace(node["schema"])
    return {key: _replace_under(key, value) for key, value in node.items()}


def _replace_under(key: str, value: Any) -> Any:
    if key in _NAMED and isinstance(value, dict):
        return {name: _replace(schema) for name, schema in value.items()}
    return value if key in _OPAQUE else _replace(value)


def schema_nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every schema and field in a core schema, outermost first."""
    if isinstance(node, list | tuple):
        for item in node:
            yield from schema_nodes(item)
    elif isinstance(node, dict) and "type" in node:
        yield node
        for key, value in node.items():
            if key in _NAMED and isinstance(value, dict):
                yield from schema_nodes(list(value.values()))
            elif key not in _OPAQUE:
                yield from schema_nodes(value)


def _refuses_empty(node: dict[str, Any]) -> bool:
    """Is this the model validator that refuses a null at a field (made redundant by refusing every null)?"""
    function = node["function"].get("function")
    return getattr(function, "__func__", None) is Model._no_empty_values.__func__


@contextlib.contextmanager
def _own_validators_set_aside(models: set[type[BaseModel]]) -> Iterator[None]:
    """Keep pydantic-core from reusing each model's own validator while the fast one is built.

    Building a validator, pydantic-core takes a complete model class's ``__pydantic_validator__``
    instead of the ``model`` schema it is given (a "prebuilt" validator), which would bring back
    every callback. It only does so for a class marked complete, so the classes are marked
    incomplete while building, as pydantic's own ``model_rebuild`` does while it rebuilds. If a
    later pydantic-core reused validators on other grounds, the fast validator would be the
    model's own: as exact, only slower (a test catches that).
    """
    complete = {model: model.__dict__.get("__pydantic_complete__", False) for model in models}
    try:
        for model in models:
            model.__pydantic_complete__ = False
        yield
    finally:
        for model, was_complete in complete.items():
            model.__pydantic_complete__ = was_complete
