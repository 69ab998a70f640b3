"""JSON Schemas (Draft 2020-12) generated from the models: the published contract for editors.

``relpolicy schema --out schemas/`` writes one schema per kind plus ``relpolicy-v1.json``, which
accepts any v1 document and dispatches on ``kind`` (the one to point editors at, since a file may
hold several kinds). The runtime validates with the models; the test suite checks that the
schemas and the models agree.
"""

from __future__ import annotations

import json
from typing import Any, Final

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from relpolicy.model.base import API_VERSION
from relpolicy.model.kinds import KINDS

DRAFT: Final = "https://json-schema.org/draft/2020-12/schema"
BASE_URI: Final = "https://relpolicy.dev/schemas/v1/"
COMBINED_FILE: Final = "relpolicy-v1.json"


class _Generator(GenerateJsonSchema):
    """pydantic's generator, adjusted so that the schemas accept exactly what the models do."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        # The models reject an empty value on every field (see Model._not_null).
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
    return {
        "$schema": DRAFT,
        "$id": BASE_URI + COMBINED_FILE,
        "title": f"relpolicy policy document ({API_VERSION})",
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": API_VERSION},
            "kind": {"enum": [model.KIND for model in KINDS]},
        },
        "allOf": dispatch,
        "$defs": top["$defs"],
    }


def render_schemas() -> dict[str, str]:
    """Every schema file, by file name, as deterministic JSON text."""
    files = {kind_file(model.KIND): _dump(kind_schema(model)) for model in KINDS}
    files[COMBINED_FILE] = _dump(combined_schema())
    return dict(sorted(files.items()))
