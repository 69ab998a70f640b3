"""``relpolicy import backstage``: a Backstage catalog as Services and Teams, re-imported without losing edits.

The catalog under tests/importers/backstage/catalog/ is written in Backstage's published descriptor
format (backstage.io/docs/features/software-catalog/descriptor-format). Golden outputs are in
tests/importers/backstage/golden/; rewrite them with ``RELPOLICY_UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from tests._golden import assert_golden_folder
from tests.conftest import REPO

from relpolicy.cli import main
from relpolicy.errors import RelpolicyError
from relpolicy.importers.backstage import Options, map_catalog, read_catalog
from relpolicy.importers.regenerate import decode_path, encode_path, render

HERE = Path(__file__).parent / "backstage"
CATALOG = HERE / "catalog"
GOLDEN = HERE / "golden"
ROOT = "tests/importers/backstage/catalog/catalog-info.yaml"

Run = Callable[..., tuple[int, str, str]]


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.yaml"))}


def _check_lines(out: Path, run_main: Run) -> str:
    code, stdout, _ = run_main("check", str(out), "--as-of", "2026-01-15", "--format", "json")
    assert code == 1
    findings = json.loads(stdout)["findings"]
    lines = [
        f"{Path(f['location']['path']).relative_to(out).as_posix()}:{f['location']['line']}:"
        f"{f['location']['column']} "
        f"{f['ruleId']} {f['message']}"
        for f in findings
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run ``relpolicy ...`` from the repository root; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.chdir(REPO)
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_import_of_the_catalog_matches_the_golden_files_and_check_gives_the_gap_report(
    run_main: Run, tmp_path: Path
) -> None:
    """Every mapping, the summary of what did not map, and `relpolicy check` on the result."""
    out = tmp_path / "out"
    code, stdout, stderr = run_main("import", "backstage", ROOT, "--out", str(out))
    assert (code, stdout) == (1, "")  # a missing Location target and a group without members are errors
    texts = _tree(out)
    assert sorted(texts) == [
        "services/billing-payments-api.yaml",
        "services/cart.yaml",
        "services/checkout.yaml",
        "services/legacy-reports.yaml",
        "services/payments-api.yaml",
        "services/payments-db.yaml",
        "services/recommendations.yaml",
        "services/sessions-cache.yaml",
        "teams/team-checkout.yaml",
        "teams/team-payments.yaml",
    ]
    texts["stderr.txt"] = stderr.replace(out.as_posix(), "OUT")
    texts["check.txt"] = _check_lines(out, run_main)
    assert_golden_folder(GOLDEN, texts)
    assert " RP1" not in texts["check.txt"]  # schema-valid: only the gaps are reported


def test_the_output_is_formatted_as_fmt_formats_it_and_a_second_import_changes_nothing(
    run_main: Run, tmp_path: Path
) -> None:
    """`fmt --check` passes, and importing the same catalog again leaves every byte as it was."""
    out = tmp_path / "out"
    run_main("import", "backstage", ROOT, "--out", str(out))
    first = _tree(out)
    assert run_main("fmt", "--check", str(out))[0] == 0
    run_main("import", "backstage", ROOT, "--out", str(out))
    assert _tree(out) == first


def test_reimport_rewrites_only_the_imported_fields_and_keeps_edits_and_comments(run_main: Run, tmp_path: Path) -> None:
    """A person's fields, labels, comments and a replaced placeholder survive; the catalog's changes land."""
    catalog = tmp_path / "catalog"
    shutil.copytree(CATALOG, catalog)
    out = tmp_path / "out"
    root = str(catalog / "catalog-info.yaml")
    run_main("import", "backstage", root, "--out", str(out))
    checkout = out / "services" / "checkout.yaml"
    text = checkout.read_text(encoding="utf-8")
    text = text.replace("spec:\n", "spec:\n  # Paged 24x7 since the 2025 outage.\n  recovery:\n    rto: 1h\n", 1)
    text = text.replace("  runbook:\n", "  runbook:\n    restore:\n      - Roll back the last deploy.\n")
    text = text.replace("    domain: commerce\n", "    domain: commerce\n    cost-centre: cc-42  # finance asked\n")
    checkout.write_text(text, encoding="utf-8")
    legacy = out / "services" / "legacy-reports.yaml"
    legacy_text = legacy.read_text(encoding="utf-8")
    todo_line = next(line for line in legacy_text.splitlines() if line.startswith("  tier: 2  # TODO"))
    legacy.write_text(legacy_text.replace(todo_line, "  tier: 4  # batch, nobody waits for it"), encoding="utf-8")
    source = catalog / "services" / "checkout.yaml"
    source.write_text(
        source.read_text(encoding="utf-8")
        .replace("Takes the customer's basket to a paid order.", "Turns baskets into paid orders.")
        .replace("    - component:ghost\n", "")
        .replace("  system: system:default/shop\n", ""),
        encoding="utf-8",
    )

    more = catalog / "services" / "more.yaml"
    more.write_text(more.read_text(encoding="utf-8").replace("name: recommendations", "name: suggestions"), "utf-8")

    _, _, stderr = run_main("import", "backstage", root, "--out", str(out))

    assert (
        f"{(out / 'services' / 'recommendations.yaml').as_posix()}: note: imported before, but its entity is not in "
        "the catalog read; left as it is (delete it if the service or team is gone)\n"
    ) in stderr
    assert (out / "services" / "recommendations.yaml").exists()
    after = checkout.read_text(encoding="utf-8")
    assert "  description: Turns baskets into paid orders.\n" in after
    assert "ghost" not in after
    assert "system: shop" not in after
    assert "domain: commerce" not in after
    assert "metadata.labels.system" not in after
    for kept in (
        "  # Paged 24x7 since the 2025 outage.\n",
        "  recovery:\n    rto: 1h\n",
        "    restore:\n      - Roll back the last deploy.\n",
        "    cost-centre: cc-42  # finance asked\n",
        "      - title: Checkout dashboard\n",
    ):
        assert kept in after
    assert "  tier: 4  # batch, nobody waits for it\n" in legacy.read_text(encoding="utf-8")


def test_a_file_not_written_by_the_import_is_left_alone(run_main: Run, tmp_path: Path) -> None:
    """A hand-written file where an imported one would go is not overwritten: an error names it."""
    out = tmp_path / "out"
    (out / "services").mkdir(parents=True)
    mine = (
        "apiVersion: relpolicy.dev/v1\nkind: Service\nmetadata:\n  name: cart\nspec:\n  description: Mine.\n  tier: 1\n"
    )
    (out / "services" / "cart.yaml").write_text(mine, encoding="utf-8")
    code, _, stderr = run_main("import", "backstage", ROOT, "--out", str(out))
    assert code == 1
    assert (out / "services" / "cart.yaml").read_text(encoding="utf-8") == mine
    shown = (out / "services" / "cart.yaml").as_posix()
    assert (
        f"{shown}: error: its backstage.io/entity-ref annotation is `None`, not `component:default/cart`; "
        "not written by this import of that entity, left as it is\n"
    ) in stderr


def test_an_unreadable_input_file_is_one_line_and_exit_2(run_main: Run, tmp_path: Path) -> None:
    """A catalog file given on the command line that does not exist stops the import."""
    code, stdout, stderr = run_main("import", "backstage", str(tmp_path / "nope.yaml"), "--out", str(tmp_path))
    assert (code, stdout) == (2, "")
    assert stderr.count("\n") == 1
    assert "nope.yaml" in stderr


def _map(files: dict[str, str]) -> tuple[dict[str, dict[tuple[str, ...], object]], list[str]]:
    def read(path: Path) -> str:
        try:
            return files[path.name]
        except KeyError:
            raise FileNotFoundError(2, "No such file or directory") from None

    catalog = read_catalog([Path("/catalog/a.yaml")], read, lambda p: p.name)
    mapped = map_catalog(catalog, Options())
    notes = sorted(f"{n.location.line}:{n.location.col} {n.severity}: {n.message}" for n in mapped.notes)
    return {d.file: d.owned for d in mapped.documents}, notes


_ENTITY = """\
---
apiVersion: backstage.io/v1alpha1
kind: {kind}
metadata:
  name: {name}
  namespace: {namespace}
  description: d
  annotations: {{relpolicy.dev/tier: "1"}}
spec:
  owner: {owner}
  dependsOn: {depends}
"""


@pytest.mark.parametrize(
    ("ref", "written", "found"),
    [
        ("component:db", "db", True),
        ("Component:default/db", "db", True),
        ("COMPONENT:DEFAULT/DB", "db", True),
        ("db", "db", True),
        ("resource:ops/store", "store", True),
        ("resource:ops/Store", "store", True),
        ("store", "store", False),  # a bare name is looked up in the referrer's namespace (default), not `ops`
        ("resource:store", "store", False),
        ("resource:elsewhere/store", "elsewhere-store", False),
    ],
)
def test_dependency_refs_in_every_spelling(ref: str, written: str, found: bool) -> None:
    """Kinds case-insensitive, namespace defaulting to the referrer's, a bare name as a Component then a Resource."""
    text = (
        _ENTITY.format(kind="Component", name="app", namespace="default", owner="t", depends=f"[{ref}]")
        + _ENTITY.format(kind="Component", name="db", namespace="default", owner="t", depends="[]")
        + _ENTITY.format(kind="Resource", name="store", namespace="ops", owner="t", depends="[]")
    )
    files, notes = _map({"a.yaml": text})
    assert files["services/app.yaml"][("spec", "dependsOn")] == [{"service": written}]
    missing = (
        f"11:15 note: component:default/app: `{ref}` is not in the catalog read; "
        f"written as `{written}` for `relpolicy check` to report"
    )
    assert (missing in notes) is not found


@pytest.mark.parametrize(
    ("owner", "written"),
    [("team-a", "team-a"), ("group:team-a", "team-a"), ("Group:default/team-a", "team-a"), ("user:x", None)],
)
def test_owner_refs(owner: str, written: str | None) -> None:
    """`spec.owner` is a Group by default; a User owner writes no owner and says why."""
    files, notes = _map(
        {"a.yaml": _ENTITY.format(kind="Resource", name="r", namespace="default", owner=owner, depends="[]")}
    )
    assert files["services/r.yaml"].get(("spec", "owner")) == written
    if written is None:
        assert (
            "10:10 note: resource:default/r: owner `user:x` is a user; "
            "relpolicy owners are teams, so no owner is written" in notes
        )


def test_same_name_in_two_namespaces_gets_the_namespace_prefix_outside_default() -> None:
    """Only the entity outside `default` is renamed, and only because the names clash."""
    text = _ENTITY.format(kind="Component", name="api", namespace="default", owner="t", depends="[]") + _ENTITY.format(
        kind="Component", name="api", namespace="eu", owner="t", depends="[]"
    )
    files, _ = _map({"a.yaml": text})
    assert sorted(files) == ["services/api.yaml", "services/eu-api.yaml"]


@given(
    st.lists(
        st.text(alphabet="abc./[-_xyz", min_size=1, max_size=8).filter(lambda s: "[" not in s and "]" not in s),
        min_size=1,
        max_size=4,
    )
)
def test_key_paths_survive_the_annotation(path: list[str]) -> None:
    """encode_path and decode_path are inverse for keys without brackets (label keys never have them)."""
    assert decode_path(encode_path(tuple(path))) == tuple(path)


def test_the_console_script_runs_the_import(tmp_path: Path) -> None:
    """`python -m relpolicy import backstage` through a real process."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "relpolicy",
            "import",
            "backstage",
            ROOT,
            "--out",
            str(tmp_path / "o"),
            "--default-tier",
            "3",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "  tier: 3  # TODO" in (tmp_path / "o" / "services" / "legacy-reports.yaml").read_text(encoding="utf-8")


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from(["a", "team-a", "group:team-a", "user:u", "component:ns/x", "Resource:r", "x@y.example", "1"]),
    st.text(alphabet="abAB:/_.- 1", max_size=8),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
_FIELDS = ["owner", "dependsOn", "dependencyOf", "memberOf", "members", "profile", "system", "lifecycle"]
_FIELDS += ["type", "target", "targets", "domain"]


@st.composite
def _entities(draw: st.DrawFn) -> dict[str, object]:
    metadata: dict[str, object] = {"name": draw(st.sampled_from(["a", "b", "team-a", "u", "x", "A_B", "r"]))}
    for key in draw(st.lists(st.sampled_from(["namespace", "title", "description", "links", "tags", "labels"]))):
        metadata[key] = draw(_VALUES if key != "labels" else st.dictionaries(_SCALARS.map(str), _SCALARS, max_size=2))
    spec: dict[str, object] = {key: draw(_VALUES) for key in draw(st.lists(st.sampled_from(_FIELDS), max_size=5))}
    if "profile" in spec and draw(st.booleans()):
        spec["profile"] = {"email": draw(_SCALARS), "displayName": draw(_SCALARS)}
    kind = draw(st.sampled_from(["Component", "resource", "Group", "User", "System", "API", "Other"]))
    return {"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": metadata, "spec": spec}


@given(st.lists(_entities(), min_size=1, max_size=6))
def test_any_catalog_maps_without_a_traceback_and_every_written_file_is_valid(documents: list[object]) -> None:
    """Whatever the entities hold, notes are located in the file and every file written passes the models."""
    text = yaml.safe_dump_all(documents)
    catalog = read_catalog([Path("/c/a.yaml")], lambda _: text, lambda p: p.name)
    mapped = map_catalog(catalog, Options())
    lines = text.count("\n") + 1
    for note in mapped.notes:
        assert note.location.path == "a.yaml"
        assert 1 <= note.location.line <= lines
    for document in mapped.documents:
        try:
            render(document, None, document.file)
        except RelpolicyError as error:  # pragma: no cover - shows what the models refused
            pytest.fail(str(error))


def test_a_soft_dependency_tag_and_a_user_in_no_group() -> None:
    """The tag `soft-dependency` on the target makes the edge soft; a user no group takes is reported."""
    cache = _ENTITY.format(kind="Resource", name="cache", namespace="default", owner="t", depends="[]")
    text = (
        _ENTITY.format(kind="Component", name="app", namespace="default", owner="t", depends="[resource:cache]")
        + cache.replace("  description: d\n", "  description: d\n  tags: [soft-dependency]\n")
        + "---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: solo}\nspec: {memberOf: []}\n"
    )
    files, notes = _map({"a.yaml": text})
    assert files["services/app.yaml"][("spec", "dependsOn")] == [{"service": "cache", "type": "soft"}]
    assert "26:7 note: user:default/solo is in no group of the catalog read; not written" in notes
