"""What every policy document shares: the resource envelope, metadata, selectors, references."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, ClassVar, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, model_validator
from pydantic.alias_generators import to_camel

from relpolicy.model.types import LabelKey, Name, Text, empty_value
from relpolicy.source.positions import KeyPath

API_VERSION = "relpolicy.dev/v1"


class Model(BaseModel):
    """Base of every model: frozen, unknown fields rejected, camelCase in YAML."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
        validate_default=False,
    )

    @model_validator(mode="before")
    @classmethod
    def _no_empty_values(cls, data: object) -> object:
        """An empty value (``owner:`` or ``owner: null``) is an error, not an absent field.

        JSON Schema's ``required`` counts a null as present, so taking null as absent would make
        the models and the published schemas disagree on either/or fields.
        """
        if isinstance(data, dict):
            for key, value in data.items():
                if value is None and key in cls._field_aliases:
                    raise empty_value(key)
        return data

    _field_aliases: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._field_aliases = frozenset(field.alias or name for name, field in cls.model_fields.items())


class Reference(NamedTuple):
    """A name in one resource that must resolve to another resource (or to a team member).

    A named tuple: a large catalogue makes one per name written (~50,000 at 10k services),
    and a tuple is built in C, several times faster than a frozen dataclass.
    """

    kind: str
    """The kind the name points to (``Service``, ``Calendar``...), or ``person`` for a member."""
    name: str
    path: KeyPath
    """Where the name is written, from the document root."""


class Spec(Model):
    """Base of every kind's ``spec``."""

    def references(self) -> Iterator[Reference]:
        """The names this spec points to, with their paths from the document root."""
        return iter(())


class Metadata(Model):
    """Kubernetes-style metadata: a unique name, an optional display name, labels, annotations."""

    name: Name = Field(examples=["checkout", "payments-team"])
    """The resource's name, unique among its kind: lowercase letters, digits and `-`, at most 63."""
    display_name: Text | None = None
    """A name for people, shown in reports and runbooks instead of `name`."""
    labels: dict[LabelKey, str] = Field(default_factory=dict)
    """Key-value tags (`domain: orders`) that the selectors of windows, freezes and priority rules match."""
    annotations: dict[LabelKey, str] = Field(default_factory=dict)
    """Free-form notes for people and other tools; relpolicy does not read them."""

    @property
    def title(self) -> str:
        """What to call the resource in prose."""
        return self.display_name or self.name


class Selector(Model):
    """Picks services by their labels (every listed label must match)."""

    match_labels: dict[LabelKey, str] = Field(min_length=1)
    """The labels a service must carry, each with exactly this value, to be selected."""

    def matches(self, labels: dict[str, str]) -> bool:
        """True when ``labels`` carries every label of this selector."""
        return all(labels.get(key) == value for key, value in self.match_labels.items())


class Resource(Model):
    """The envelope every document shares; subclasses narrow ``kind`` and ``spec``."""

    KIND: ClassVar[str]
    api_version: Annotated[str, WithJsonSchema({"const": API_VERSION})]
    """The version of the policy language the document is written in: `relpolicy.dev/v1`."""
    metadata: Metadata
    """The resource's name, and optionally a display name, labels and annotations."""

    @property
    def name(self) -> str:
        """The resource's name."""
        return self.metadata.name

    def spec_model(self) -> Spec:
        """The kind-specific spec."""
        spec = getattr(self, "spec")  # noqa: B009 - every concrete kind declares spec
        assert isinstance(spec, Spec)  # noqa: S101
        return spec

    def references(self) -> Iterator[Reference]:
        """The names this resource points to."""
        return self.spec_model().references()


def refs(kind: str, names: list[str] | tuple[str, ...], *path: str | int) -> Iterator[Reference]:
    """References for a list of names written at ``path``."""
    for index, name in enumerate(names):
        yield Reference(kind, name, (*path, index))
