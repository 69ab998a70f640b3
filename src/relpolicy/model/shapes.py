"""Reading the models' annotations: which models, lists and mappings a field's type may be.

Both the error locator of ``model.build`` (pydantic's error paths, walked through the models) and
``fmt``'s key order (the schema order of a document's keys) walk the same annotations.
"""

from __future__ import annotations

import types
import typing
from typing import Any, get_args, get_origin

from pydantic import BaseModel


def unwrap(shape: Any) -> Any:
    """``shape`` without its ``Annotated`` layers."""
    while get_origin(shape) is typing.Annotated:
        shape = get_args(shape)[0]
    return shape


def members(shape: Any) -> list[Any]:
    """The types a union may be (``None`` left out), or ``[shape]``."""
    shape = unwrap(shape)
    if get_origin(shape) in (typing.Union, types.UnionType):
        return [unwrap(arg) for arg in get_args(shape) if arg is not type(None)]
    return [shape]


def models(shape: Any) -> list[type[BaseModel]]:
    """The pydantic models among :func:`members`."""
    return [m for m in members(shape) if isinstance(m, type) and issubclass(m, BaseModel)]


def item_shape(shape: Any) -> Any:
    """The item type of the list ``shape`` may be, or ``None``."""
    for member in members(shape):
        if get_origin(member) is list:
            return get_args(member)[0]
    return None


def value_shape(shape: Any) -> Any:
    """The value type of the mapping ``shape`` may be, or ``None``."""
    for member in members(shape):
        if get_origin(member) is dict:
            return get_args(member)[1]
    return None
