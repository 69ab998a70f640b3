"""The published JSON Schemas: up to date, valid 2020-12, and in agreement with the models."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from tests.conftest import REPO

from relpolicy.cli import main
from relpolicy.model.build import build
from relpolicy.rules import RULES
from relpolicy.schema import COMBINED_FILE, render_schemas
from relpolicy.source.loader import discover, load
from relpolicy.source.parse import ParsedDocument, parse_yaml

SCHEMAS = REPO / "schemas"


@cache
def validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads((SCHEMAS / COMBINED_FILE).read_text()))


def example_documents() -> Iterator[ParsedDocument]:
    loaded = load(discover([REPO / "policies"]), REPO)
    assert loaded.problems == []
    yield from loaded.documents


def test_committed_schemas_match_the_models() -> None:
    """schemas/ is exactly what `relpolicy schema --out schemas` generates."""
    committed = {p.name: p.read_text(encoding="utf-8") for p in SCHEMAS.glob("*.json")}
    assert committed == render_schemas()


@pytest.mark.parametrize("name", sorted(render_schemas()))
def test_schemas_are_valid_draft_2020_12(name: str) -> None:
    """Every schema file passes the 2020-12 metaschema."""
    Draft202012Validator.check_schema(json.loads(render_schemas()[name]))


def test_every_example_policy_validates_with_jsonschema() -> None:
    """policies/ matches the published schema, checked by jsonschema alone (no pydantic)."""
    documents = list(example_documents())
    assert len(documents) > 40
    errors = {f"{d.positions.file}#{d.index}": [e.message for e in validator().iter_errors(d.data)] for d in documents}
    assert {k: v for k, v in errors.items() if v} == {}


def test_passing_rule_examples_validate_with_jsonschema() -> None:
    """The passing example of every rule is a valid document too."""
    for rule in RULES:
        for document in parse_yaml(rule.doc.passing, rule.id).documents:
            assert list(validator().iter_errors(document.data)) == [], rule.id


def _mutations(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    spec = data["spec"]
    yield "unknown field", {**data, "spec": {**spec, "unknownField": 1}}
    yield "unknown top-level field", {**data, "status": {}}
    yield "spec not a mapping", {**data, "spec": ["x"]}
    yield "bad name", {**data, "metadata": {"name": "Not A Name"}}
    yield "no metadata", {k: v for k, v in data.items() if k != "metadata"}
    for key in spec:
        if isinstance(spec[key], str):
            yield f"{key} as a number", {**data, "spec": {**spec, key: 12.5}}
        if isinstance(spec[key], list):
            yield f"{key} as a string", {**data, "spec": {**spec, key: "x"}}


def test_models_and_schemas_reject_the_same_mutations() -> None:
    """Broken variants of every example document are rejected by both the models and the schema."""
    checked = 0
    for document in example_documents():
        for label, mutated in _mutations(document.data):
            doc = ParsedDocument(document.index, mutated, document.positions)
            model_rejects = not build([doc]).built
            schema_rejects = any(True for _ in validator().iter_errors(mutated))
            assert (label, model_rejects) == (label, schema_rejects), document.positions.file
            checked += 1
    assert checked > 200


def test_schema_command_prints_the_report_schema(capsys: pytest.CaptureFixture[str]) -> None:
    """`relpolicy schema report` prints schemas/report/v1.json as it is."""
    assert main(["schema", "report"]) == 0
    assert capsys.readouterr() == ((SCHEMAS / "report" / "v1.json").read_text(encoding="utf-8"), "")


@pytest.mark.parametrize(("name", "file"), [("", COMBINED_FILE), ("Service", "service.json"), ("slo", "slo.json")])
def test_schema_command_prints_a_generated_schema(name: str, file: str, capsys: pytest.CaptureFixture[str]) -> None:
    """No name prints the combined schema; a kind (in any case) prints its own."""
    assert main(["schema", *([name] if name else [])]) == 0
    assert capsys.readouterr() == (render_schemas()[file], "")


def test_schema_list_names_every_published_file(capsys: pytest.CaptureFixture[str]) -> None:
    """`relpolicy schema --list` shows each name with its file under schemas/, and every file there is listed."""
    assert main(["schema", "--list"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    rows = [line.split(maxsplit=2) for line in out.splitlines()]
    assert rows[0] == ["(none)", COMBINED_FILE, "Any relpolicy.dev/v1 policy document (dispatches on kind)"]
    assert ["report", "report/v1.json", "The output of `relpolicy check --format json`"] in rows
    assert sorted(row[1] for row in rows) == sorted(p.relative_to(SCHEMAS).as_posix() for p in SCHEMAS.rglob("*.json"))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["schema", "--list", "Service"], "--list takes no NAME, --out or --check"),
        (["schema", "Service", "--out", "schemas"], "--out DIR writes every generated schema: drop `Service`"),
    ],
)
def test_schema_command_usage_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Options that do not go together are a one-line usage error."""
    assert main(argv) == 2
    assert capsys.readouterr() == ("", f"relpolicy: error: {message}\n")


def _properties(node: object, where: str = "#") -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every property of a schema, wherever it is declared, as (where, key, its schema)."""
    if isinstance(node, dict):
        for key, value in (node.get("properties") or {}).items():
            yield f"{where}/properties/{key}", key, value
        for key, value in node.items():
            if key != "if":  # a condition on a value, not a declaration of it
                yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _properties(value, f"{where}/{index}")


def _pydantic_title(key: str) -> str:
    """The title pydantic gives a key by itself: `dependsOn` -> `Dependson`, `rto` -> `Rto`."""
    return key.title().replace("_", " ").strip()


ACRONYMS = {"rto": "RTO", "rpo": "RPO", "sla": "SLA", "url": "URL", "rrule": "RRULE"}


def _has_format(schema: dict[str, Any]) -> bool:
    """A value written in a format a person must know: a pattern (not just "not blank"), a format, a percentage."""
    pattern = schema.get("pattern", r"\S")
    return pattern != r"\S" or "format" in schema or schema.get("exclusiveMaximum") == 100


def _values(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The schemas a property's values take: its own, its items', its alternatives'."""
    yield schema
    if isinstance(schema.get("items"), dict):
        yield from _values(schema["items"])
    for branch in schema.get("anyOf", []):
        yield from _values(branch)


@pytest.mark.parametrize("name", sorted(render_schemas()))
def test_every_property_has_a_human_title_and_a_description(name: str) -> None:
    """Hover text for every key: a title as a person writes it, and a description that names no source file."""
    problems = []
    for where, key, schema in _properties(json.loads(render_schemas()[name])):
        title, description = schema.get("title"), schema.get("description")
        if not title or not description:
            problems.append(f"{where}: title {title!r}, description {description!r}")
            continue
        if key.lower() in ACRONYMS and title != ACRONYMS[key.lower()]:
            problems.append(f"{where}: title {title!r} is not {ACRONYMS[key.lower()]!r}")
        if key != key.lower() and title == _pydantic_title(key):
            problems.append(f"{where}: title {title!r} is pydantic's own")
        if re.search(r"\b\w+\.py\b|`[\w./]+\.py`", description):
            problems.append(f"{where}: description names a source file: {description!r}")
        if not (description[0].isupper() or description.startswith("`")) or not description.endswith((".", ")")):
            problems.append(f"{where}: description is not a sentence: {description!r}")
    assert problems == []


@pytest.mark.parametrize("name", sorted(render_schemas()))
def test_values_with_a_format_have_examples_that_validate(name: str) -> None:
    """Durations, times, dates, RRULEs, percentages, names...: a property shows examples, each of them valid."""
    root = json.loads(render_schemas()[name])
    root_validator = Draft202012Validator(root)
    missing, invalid = [], []
    for where, _, schema in _properties(root):
        values = list(_values(schema))
        if any(_has_format(value) for value in values) and not any("examples" in value for value in values):
            missing.append(where)
        for value in values:
            for example in value.get("examples", []):
                errors = [e.message for e in root_validator.evolve(schema=value).iter_errors(example)]
                if errors:
                    invalid.append(f"{where}: {example!r}: {errors}")
    assert (missing, invalid) == ([], [])


def test_vscode_settings_map_the_combined_schema_to_every_policy_file() -> None:
    """.vscode/settings.json points at the combined schema, and its globs take in every file of policies/."""
    settings = json.loads((REPO / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    ((schema, globs),) = settings["yaml.schemas"].items()
    assert (REPO / schema).resolve() == (SCHEMAS / COMBINED_FILE).resolve()
    # The language server puts `**/` before each glob; fnmatch's `*` crosses `/` as `**` does.
    files = [p.relative_to(REPO).as_posix() for p in (REPO / "policies").rglob("*") if p.is_file()]
    assert [f for f in files if not any(fnmatch.fnmatch(f, g.replace("**/", "*")) for g in globs)] == []


def test_schemastore_entry_in_the_docs_names_the_published_schema() -> None:
    """docs/editors.md holds a catalog entry whose URL is the combined schema's $id, with specific globs."""
    text = (REPO / "docs" / "editors.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```json\n(\{\n  \"name\".*?)```", text, flags=re.DOTALL)
    entry = json.loads(block)
    assert sorted(entry) == ["description", "fileMatch", "name", "url"]
    assert entry["url"] == json.loads(render_schemas()[COMBINED_FILE])["$id"]
    assert all("relpolicy" in glob for glob in entry["fileMatch"])
