"""JSON Schemas (Draft 2020-12) generated from the models: the published contract for editors.

``relpolicy schema --out schemas/`` writes one schema per kind plus ``relpolicy-v1.json``, which
accepts any v1 document and dispatches on ``kind`` (the one to point editors at, since a file may
hold several kinds). The runtime validates with the models; the test suite checks that the
schemas and the models agree.

Field descriptions come from the docstring under each field in the model's source. pydantic can
read them itself (``use_attribute_docstrings``), but it would parse the source of every model at
import, on every ``check``, for descriptions only the schemas show; the generator reads them here.
Titles are made from the YAML key (``dependsOn`` -> "Depends on", ``rto`` -> "RTO") unless a
field sets its own; ``kind`` and ``spec``, which every kind declares again, are described here.
Values written in a format (durations, times, dates, RRULEs, percentages...) get examples from
:data:`_EXAMPLES`, by the pattern of their type; a name, whose examples depend on what it names,
gets them from its field (``Field(examples=)``).
"""

from __future__ import annotations

import ast
import importlib.resources
import inspect
import itertools
import json
import re
import textwrap
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonRef, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from relpolicy.errors import RelpolicyError
from relpolicy.model import calendar, maintenance, priority, slo, types
from relpolicy.model.base import API_VERSION, Resource
from relpolicy.model.kinds import KINDS

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"
BASE_URI: Final = "https://relpolicy.dev/schemas/v1/"
COMBINED_FILE: Final = "relpolicy-v1.json"
OUTPUT_SCHEMA: Final = re.compile(r"^(?P<name>[a-z][a-z0-9-]*)/v(?P<version>[1-9][0-9]*)\.json$")
"""``report/v1.json``: the schema of an output format, written by hand (an output is not a model)."""


@cache
def _docstrings_in_body(cls: type) -> dict[str, str]:
    """The docstrings written under annotated attributes in the body of ``cls`` itself."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):  # no source: no descriptions, as with pydantic's own reading
        return {}
    if source.startswith((" ", "\t")):  # a multi-line string less indented than a nested class
        source = f"def _():\n{source}"
    body = next(node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ClassDef)).body
    return {
        statement.target.id: inspect.cleandoc(following.value.value)
        for statement, following in itertools.pairwise(body)
        if isinstance(statement, ast.AnnAssign)
        and isinstance(statement.target, ast.Name)
        and isinstance(following, ast.Expr)
        and isinstance(following.value, ast.Constant)
        and isinstance(following.value.value, str)
    }


def field_docstrings(model: type[BaseModel]) -> dict[str, str]:
    """Each field's attribute docstring, from the class that declares the field (a subclass may inherit it)."""
    docstrings = {}
    for name in model.model_fields:
        declaring = next((c for c in model.__mro__ if name in vars(c).get("__annotations__", {})), None)
        if declaring is not None and (docstring := _docstrings_in_body(declaring).get(name)) is not None:
            docstrings[name] = docstring
    return docstrings


_TITLE_WORDS: Final = {
    "api": "API",
    "rto": "RTO",
    "rpo": "RPO",
    "sla": "SLA",
    "url": "URL",
    "rrule": "RRULE",
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
"""Words of YAML keys that are not written as they read: acronyms and abbreviated weekdays."""


def title_of(key: str) -> str:
    """A YAML key as a title: ``dependsOn`` -> "Depends on", ``rto`` -> "RTO", ``mon`` -> "Monday"."""
    words = [_TITLE_WORDS.get(word.lower(), word.lower()) for word in re.findall(r"[a-z0-9]+|[A-Z][a-z0-9]*", key)]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


_EXAMPLES: Final[dict[str, list[Any]]] = {
    types.DURATION_PATTERN: ["0m", "15m", "1h30m"],
    types.POSITIVE_DURATION_PATTERN: ["30m", "4h", "1d", "1w"],
    types.LOCAL_TIME_PATTERN: ["02:00", "22:30"],
    types.TIME_RANGE_PATTERN: ["09:00-17:30", "22:00-06:00"],
    types.DATE_PATTERN: ["2026-12-24"],
    types.DATETIME_PATTERN: ["2026-12-24T18:00:00-05:00", "2026-12-24T23:00:00Z"],
    types.EMAIL_PATTERN: ["ana.lima@example.com"],
    slo.TIME_WINDOW_PATTERN: ["30d", "4w", "month", "quarter"],
    slo.LATENCY_PATTERN: ["300ms", "2s"],
    maintenance.RRULE_PATTERN: ["FREQ=WEEKLY;BYDAY=SU", "FREQ=MONTHLY;BYDAY=1SA", "FREQ=DAILY;INTERVAL=2"],
    priority.LEVEL_PATTERN: ["P1", "P2"],
    calendar._COUNTRY_PATTERN: ["US", "GB"],
    calendar._SUBDIVISION_PATTERN: ["ENG", "NY"],
}
"""Examples of the values of each format, by the pattern the format's type publishes."""
_PERCENTAGE_EXAMPLES: Final = [99.9, 99.95]


def _add_examples(node: object) -> None:
    """Give every value schema under ``node`` with a known format its examples (unless it has some)."""
    if isinstance(node, list):
        for item in node:
            _add_examples(item)
    if not isinstance(node, dict):
        return
    for value in node.values():
        _add_examples(value)
    if "examples" in node:
        return
    if (examples := _EXAMPLES.get(node.get("pattern", ""))) is not None:
        node["examples"] = examples
    elif node.get("type") == "number" and node.get("exclusiveMaximum") == 100:  # a percentage
        node["examples"] = _PERCENTAGE_EXAMPLES


def _resource_descriptions(model: type[Resource]) -> dict[str, str]:
    """Descriptions of the fields every kind declares again with its own type."""
    about = inspect.cleandoc(model.__doc__ or model.KIND).splitlines()[0].rstrip(".")
    noun = about[0].lower() + about[1:]
    return {
        "kind": f"What this document is: `{model.KIND}` declares {noun}.",
        "spec": f"The content of the {model.KIND}: what it declares, in the fields below.",
    }


def _model_fields(schema: core_schema.CoreSchema) -> dict[str, core_schema.ModelField]:
    """The fields of a ``model`` core schema, under the validators that wrap them."""
    node: dict[str, Any] = dict(schema)
    while node["type"] != "model-fields":
        node = node["schema"]
    fields: dict[str, core_schema.ModelField] = node["fields"]
    return fields


class _Generator(GenerateJsonSchema):
    """pydantic's generator, adjusted so that the schemas accept exactly what the models do."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._descriptions: dict[int, str] = {}
        """Field docstrings by the identity of their field's core schema (which does not know its name)."""

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        fields = _model_fields(schema["schema"])
        model = schema["cls"]
        generic = _resource_descriptions(model) if issubclass(model, Resource) and model is not Resource else {}
        for name, docstring in {**generic, **field_docstrings(model)}.items():
            self._descriptions[id(fields[name])] = docstring
        json_schema = super().model_schema(schema)
        properties = self.get_schema_from_definitions(JsonRef(json_schema["$ref"])) if "$ref" in json_schema else None
        for key, value in ((properties or json_schema).get("properties") or {}).items():
            value.setdefault("title", title_of(key))  # pydantic drops a title equal to its $ref's
        return json_schema

    def get_title_from_name(self, name: str) -> str:
        return title_of(name)

    def field_title_should_be_set(self, schema: Any) -> bool:  # noqa: ARG002 - every schema gets one
        return True  # models and references too: the property's title says what it is for

    def model_field_schema(self, schema: core_schema.ModelField) -> JsonSchemaValue:
        # Where pydantic puts a description of its own: over the field's schema (a "$ref" included).
        json_schema = super().model_field_schema(schema)
        description = self._descriptions.get(id(schema))
        return json_schema if description is None else {**json_schema, "description": description}

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        # The models reject an empty value on every field (see Model._no_empty_values).
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        json_schema = super().default_schema(schema)
        if json_schema.get("default", ...) is None:
            del json_schema["default"]  # "absent" is not a value a user could write
        return json_schema

    def dict_schema(self, schema: core_schema.DictSchema) -> JsonSchemaValue:
        # patternProperties would let keys that miss the pattern through; propertyNames does not.
        json_schema = super().dict_schema(schema)
        if patterns := json_schema.pop("patternProperties", None):
            ((pattern, values),) = patterns.items()
            json_schema["propertyNames"] = {"pattern": pattern}
            json_schema["additionalProperties"] = values
        return json_schema


def kind_file(kind: str) -> str:
    """The schema file name of one kind: ``Service`` -> ``service.json``."""
    return f"{kind.lower()}.json"


def _dump(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def kind_schema(model: type[Any]) -> dict[str, Any]:
    """The standalone schema of one kind."""
    body = model.model_json_schema(by_alias=True, mode="validation", schema_generator=_Generator)
    _add_examples(body)
    return {"$schema": DRAFT, "$id": BASE_URI + kind_file(model.KIND), **body}


def combined_schema() -> dict[str, Any]:
    """One schema for every v1 document, dispatching on ``kind``."""
    refs, top = models_json_schema(
        [(model, "validation") for model in KINDS],
        by_alias=True,
        ref_template="#/$defs/{model}",
        schema_generator=_Generator,
    )
    dispatch = [
        {
            "if": {"properties": {"kind": {"const": model.KIND}}, "required": ["kind"]},
            "then": refs[(model, "validation")],
        }
        for model in KINDS
    ]
    combined: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": BASE_URI + COMBINED_FILE,
        "title": f"relpolicy policy document ({API_VERSION})",
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {
                "const": API_VERSION,
                "title": title_of("apiVersion"),
                "description": f"The version of the policy language the document is written in: `{API_VERSION}`.",
            },
            "kind": {
                "enum": [model.KIND for model in KINDS],
                "title": title_of("kind"),
                "description": "What the document declares; the other fields follow from it.",
            },
        },
        "allOf": dispatch,
        "$defs": top["$defs"],
    }
    _add_examples(combined)
    return combined


def render_schemas() -> dict[str, str]:
    """Every schema file, by file name, as deterministic JSON text."""
    files = {kind_file(model.KIND): _dump(kind_schema(model)) for model in KINDS}
    files[COMBINED_FILE] = _dump(combined_schema())
    return dict(sorted(files.items()))


class SchemaFile(NamedTuple):
    """One schema ``relpolicy schema NAME`` prints."""

    name: str
    """What to pass to ``relpolicy schema``: a kind, an output (``report``), or "" for the combined schema."""
    file: str
    """Its path under ``schemas/`` (and under ``relpolicy/schemas/`` in the installed package)."""
    about: str


def schema_files() -> list[SchemaFile]:
    """Every published schema: the combined one, one per kind, then the latest of each output's."""
    return [
        SchemaFile("", COMBINED_FILE, f"Any {API_VERSION} policy document (dispatches on kind)"),
        *(SchemaFile(model.KIND, kind_file(model.KIND), _summary(model)) for model in KINDS),
        *_output_schemas(),
    ]


def _schemas_folder() -> Traversable:
    """``schemas/`` as shipped: in the installed package, else (a source checkout) the checkout's."""
    packaged = importlib.resources.files("relpolicy").joinpath("schemas")
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "schemas"


def _output_schemas() -> list[SchemaFile]:
    """``NAME/vN.json`` under ``schemas/`` (``report/v1.json``): the latest version of each, by name."""
    latest: dict[str, tuple[int, str]] = {}
    folder = _schemas_folder()
    for sub in (entry for entry in folder.iterdir() if entry.is_dir()):
        for child in sub.iterdir():
            if (match := OUTPUT_SCHEMA.match(f"{sub.name}/{child.name}")) is not None:
                version = int(match["version"])
                if version > latest.get(sub.name, (0, ""))[0]:
                    latest[sub.name] = (version, f"{sub.name}/{child.name}")
    outputs = []
    for name, (_, file) in sorted(latest.items()):
        description = str(json.loads(packaged_schema(file)).get("description", ""))
        outputs.append(SchemaFile(name, file, description.split(". ", 1)[0].rstrip(".") or file))
    return outputs


def _summary(model: type[Any]) -> str:
    """``A working calendar``: the first line of the model's docstring."""
    return inspect.cleandoc(model.__doc__ or model.KIND).splitlines()[0].rstrip(".")


def packaged_schema(file: str) -> str:
    """The text of a schema file shipped with relpolicy, such as ``report/v1.json``.

    An installed wheel holds ``schemas/`` as ``relpolicy/schemas/``; run from a source checkout
    (or an editable install), the package has no copy and the checkout's ``schemas/`` is read.
    """
    try:
        return _schemas_folder().joinpath(*file.split("/")).read_text(encoding="utf-8")
    except OSError:
        msg = f"the schema {file} is not installed with relpolicy (a broken installation?)"
        raise RelpolicyError(msg) from None


def schema_text(name: str = "") -> str:
    """The schema ``relpolicy schema NAME`` prints: a kind's (any case), an output's, or the combined one for ""."""
    wanted = name.lower()
    generated = render_schemas()
    for schema in schema_files():
        if schema.name.lower() == wanted:
            return generated[schema.file] if schema.file in generated else packaged_schema(schema.file)
    names = ", ".join(schema.name for schema in schema_files() if schema.name)
    msg = f"no schema `{name}`; choose one of {names} (or none, for any policy document)"
    raise RelpolicyError(msg)
