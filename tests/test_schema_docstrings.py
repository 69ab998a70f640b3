"""Field descriptions in the schemas: the generator reads attribute docstrings as pydantic would.

The models leave ``use_attribute_docstrings`` off (it parses their source at every import); these
models turn it on, so that pydantic's own reading is the reference for ``field_docstrings``.
"""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import BaseModel, ConfigDict

from relpolicy.model.base import Model
from relpolicy.model.kinds import KINDS
from relpolicy.schema import field_docstrings


class Parent(BaseModel):
    """A model documented the ways a model can be."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    plain: int = 0
    """One line."""
    multi: str = ""
    """First line.

        Indented further, kept relative to the rest.
    """
    undocumented: int = 0
    LIMIT: ClassVar[int] = 3
    """A class variable's, not a field's."""
    later: int = 0

    def method(self) -> None:
        """A method's docstring, not a field's."""

    "A string after a method: nobody's."


class Child(Parent):
    """Inherits some fields, declares others again."""

    undocumented: int = 1
    """Documented by the child."""
    plain: int = 2
    own: list[int] = []
    """The child's own field."""


class Grandchild(Child):
    """Declares nothing: every field and its docstring is inherited."""


@pytest.mark.parametrize("model", [Parent, Child, Grandchild])
def test_docstrings_read_as_pydantic_reads_them(model: type[BaseModel]) -> None:
    """Same fields, same text (cleaned like a docstring), same inheritance."""
    by_pydantic = {name: f.description for name, f in model.model_fields.items() if f.description is not None}
    assert field_docstrings(model) == by_pydantic
    assert by_pydantic  # the reference is not empty


def test_models_no_longer_parse_their_source() -> None:
    """The models import without reading docstrings; only the schema generator reads them."""
    assert not Model.model_config.get("use_attribute_docstrings")
    assert all(f.description is None for model in KINDS for f in model.model_fields.values())
    assert any(field_docstrings(model) for model in KINDS)
