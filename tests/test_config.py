"""Project configuration: relpolicy.yaml and [tool.relpolicy], their defaults, errors and effect on `check`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from relpolicy.cli import main
from relpolicy.config import Settings, Thresholds, load_settings
from relpolicy.errors import RelpolicyError
from relpolicy.findings import Severity

POLICY = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: payments}
spec:
  coverage: always
  members: [{name: Ana Lima, email: ana@example.com}]
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: checkout}
spec:
  description: Takes orders.
  tier: 3
  owner: payments
  dependsOn:
    - service: recommendations
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: recommendations}
spec: {description: Suggests products., tier: 4, owner: payments}
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: printers}
spec: {description: Office printers., tier: 4, owner: payments, dependsOn: [{service: scanners, type: soft}]}
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: scanners}
spec: {description: Office scanners., tier: 4, owner: payments, dependsOn: [{service: printers}]}
"""
"""One RP302 error (checkout, tier 3, hard-depends on tier 4; line 16) and one RP301 warning (a cycle through a
soft link between printers and scanners; line 26)."""

SPOF = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: payments}
spec:
  coverage: always
  members: [{name: Ana Lima, email: ana@example.com}]
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: auth}
spec: {description: Sign-in., tier: 1, owner: payments}
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: checkout}
spec: {description: Takes orders., tier: 1, owner: payments, dependsOn: [{service: auth}]}
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: cart}
spec: {description: Baskets., tier: 1, owner: payments, dependsOn: [{service: auth}]}
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: storefront}
spec: {description: Web shop., tier: 1, owner: payments, dependsOn: [{service: auth}]}
"""
"""auth has three tier-1 hard dependents: RP306 at its name (line 10) with the default threshold."""

ALL_KEYS_YAML = """\
roots: [policies, extra]
select: [RP302, dependency-cycle, rp306]
ignore: [single-point-of-failure]
severity: {RP302: warning, dependency-cycle: error}
perPathIgnores:
  "policies/legacy/**": [RP302, unused-suppression]
failOn: warning
asOf: 2026-11-26
thresholds:
  spofMinTier1Dependents: 4
  maxStatusUpdateEvery: 30m
  statusUpdateLevels: [P1]
  restoreTestEvery: 1w
  maxPatchCadence: 2d
"""

ALL_KEYS_TOML = """\
[project]
name = "shop"

[tool.relpolicy]
roots = ["policies", "extra"]
select = ["RP302", "dependency-cycle", "rp306"]
ignore = ["single-point-of-failure"]
severity = { RP302 = "warning", dependency-cycle = "error" }
perPathIgnores = { "policies/legacy/**" = ["RP302", "unused-suppression"] }
failOn = "warning"
asOf = 2026-11-26

[tool.relpolicy.thresholds]
spofMinTier1Dependents = 4
maxStatusUpdateEvery = "30m"
statusUpdateLevels = ["P1"]
restoreTestEvery = "1w"
maxPatchCadence = "2d"
"""

EXPECTED_ALL_KEYS = Settings(
    thresholds=Thresholds(
        spof_min_tier1_dependents=4,
        max_status_update_every="30m",
        status_update_levels=("P1",),
        restore_test_every="1w",
        max_patch_cadence="2d",
    ),
    roots=(Path("policies"), Path("extra")),
    select=frozenset({"RP302", "RP301", "RP306"}),
    ignore=frozenset({"RP306"}),
    severity={"RP302": Severity.WARNING, "RP301": Severity.ERROR},
    per_path_ignores=(("policies/legacy/**", frozenset({"RP302", "RP901"})),),
    fail_on="warning",
    as_of=dt.date(2026, 11, 26),
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project directory, made the working directory (the CLI finds its config there)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[tuple[str, str, int, str]], str]:
    """Run `relpolicy check --format json` with ``argv``: the exit code, (rule, path, line, severity) and stderr."""
    code = main(["check", "--format", "json", *argv])
    out, err = capsys.readouterr()
    findings = json.loads(out)["findings"] if out else []
    found = [(f["ruleId"], f["location"]["path"], f["location"]["line"], f["severity"]) for f in findings]
    return code, found, err


def fail(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `relpolicy check` expecting a tool error: the exit code, stdout and stderr."""
    code = main(["check", "--as-of", "2026-11-26", *argv])
    out, err = capsys.readouterr()
    return code, out, err


RP302 = ("RP302", "policies/policy.yaml", 16, "error")
RP301 = ("RP301", "policies/policy.yaml", 26, "warning")


# Defaults and every key


def test_defaults_are_documented_values(project: Path) -> None:
    """Without any configuration file every setting has its documented default."""
    settings = load_settings(project)
    assert settings == Settings()
    assert (settings.roots, settings.select, settings.ignore, settings.severity) == (
        (Path("policies"),),
        set(),
        set(),
        {},
    )
    assert (settings.per_path_ignores, settings.fail_on, settings.as_of, settings.source) == ((), "error", None, None)
    thresholds = settings.thresholds
    assert (
        thresholds.spof_min_tier1_dependents,
        thresholds.max_status_update_every,
        thresholds.status_update_levels,
        thresholds.restore_test_every,
        thresholds.max_patch_cadence,
    ) == (3, dt.timedelta(minutes=60), ("P1", "P2"), dt.timedelta(days=90), dt.timedelta(days=31))


@pytest.mark.parametrize("text", ["", "# settings come later\n", "{}\n", "---\n"])
def test_empty_config_file_keeps_the_defaults(project: Path, text: str) -> None:
    """An empty relpolicy.yaml (or one with only comments or an empty mapping) changes nothing."""
    (project / "relpolicy.yaml").write_text(text)
    assert load_settings(project) == Settings(source=str(project / "relpolicy.yaml"))


def test_every_key_from_relpolicy_yaml(project: Path) -> None:
    """Every key of relpolicy.yaml is read; rule names and lowercase ids resolve to ids."""
    (project / "relpolicy.yaml").write_text(ALL_KEYS_YAML)
    assert load_settings(project) == dataclasses.replace(EXPECTED_ALL_KEYS, source=str(project / "relpolicy.yaml"))


def test_every_key_from_pyproject(project: Path) -> None:
    """[tool.relpolicy] takes the same keys; a bare TOML date is accepted for asOf."""
    (project / "pyproject.toml").write_text(ALL_KEYS_TOML)
    assert load_settings(project) == dataclasses.replace(EXPECTED_ALL_KEYS, source=str(project / "pyproject.toml"))


def test_as_of_today_means_the_day_of_the_run(project: Path) -> None:
    """`asOf: today` is the default: no fixed date."""
    (project / "relpolicy.yaml").write_text("asOf: today\n")
    assert load_settings(project).as_of is None


def test_relpolicy_yaml_wins_over_hidden_file_and_pyproject(project: Path) -> None:
    """relpolicy.yaml is read first, then .relpolicy.yaml, then pyproject.toml's [tool.relpolicy]."""
    (project / "pyproject.toml").write_text('[tool.relpolicy]\nfailOn = "info"\n')
    assert load_settings(project).fail_on == "info"
    (project / ".relpolicy.yaml").write_text("failOn: warning\n")
    assert load_settings(project).fail_on == "warning"
    (project / "relpolicy.yaml").write_text("failOn: never\n")
    assert (load_settings(project).fail_on, load_settings(project).source) == ("never", str(project / "relpolicy.yaml"))


def test_pyproject_without_a_relpolicy_table_is_no_config(project: Path) -> None:
    """A pyproject.toml of another tool (or with a `tool` that is not a table) leaves the defaults."""
    (project / "pyproject.toml").write_text('[project]\nname = "shop"\n\n[tool.ruff]\nline-length = 100\n')
    assert load_settings(project) == Settings()
    (project / "pyproject.toml").write_text('tool = "relpolicy"\n')
    assert load_settings(project) == Settings()


def test_explicit_config_file(project: Path, tmp_path: Path) -> None:
    """--config names the file, in YAML or TOML, whatever its name."""
    (project / "relpolicy.yaml").write_text("failOn: never\n")
    (project / "ci.yml").write_text("failOn: info\n")
    (project / "ci.toml").write_text('[tool.relpolicy]\nfailOn = "warning"\n')
    assert load_settings(project, Path("ci.yml")).fail_on == "info"
    assert load_settings(project, Path("ci.toml")).fail_on == "warning"


# Errors: one line, with file:line:col in YAML


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("colour: always\n", "1:1: unknown setting `colour`"),
        ("ignor: [RP302]\n", "1:1: unknown setting `ignor`, did you mean `ignore`?"),
        (
            "thresholds:\n  spofMinTier1Dependent: 2\n",
            "2:3: unknown setting `thresholds.spofMinTier1Dependent`, did you mean `spofMinTier1Dependents`?",
        ),
        ("select: [RP302, RP999]\n", "1:17: `select[1]`: unknown rule id `RP999`; `relpolicy rules` lists them"),
        (
            "ignore:\n  - tier-inversoin\n",
            "2:5: `ignore[0]`: unknown rule name `tier-inversoin`; `relpolicy rules` lists them",
        ),
        (
            "severity: {RP302: error, nope: error}\n",
            "1:26: `severity.nope`: unknown rule name `nope`; `relpolicy rules` lists them",
        ),
        (
            'perPathIgnores:\n  "legacy/**": [RP302, RP3021]\n',
            "2:24: `perPathIgnores.legacy/**[1]`: unknown rule name `RP3021`; `relpolicy rules` lists them",
        ),
        ("severity: {RP302: fatal}\n", "1:19: `severity.RP302`: Input should be 'error', 'warning' or 'info'"),
        ("failOn: sometimes\n", "1:9: `failOn`: Input should be 'error', 'warning', 'info' or 'never'"),
        ("asOf: yesterday\n", "1:7: `asOf`: `yesterday` is neither `today` nor a date: write YYYY-MM-DD"),
        ("asOf: 2026-13-01\n", "1:7: `asOf`: `2026-13-01` is not a real date"),
        ("asOf: 20261126\n", "1:7: `asOf`: `20261126` is neither `today` nor a date: write YYYY-MM-DD"),
        (
            "thresholds:\n  maxStatusUpdateEvery: 60 minutes\n",
            "2:25: `thresholds.maxStatusUpdateEvery`: `60 minutes` is not a duration: write a number and a unit, "
            "like 30s, 15m, 4h, 1h30m, 2d or 1w (longer than zero)",
        ),
        (
            "thresholds:\n  restoreTestEvery: 0d\n",
            "2:21: `thresholds.restoreTestEvery`: `0d` is not a duration: write a number and a unit, "
            "like 30s, 15m, 4h, 1h30m, 2d or 1w (longer than zero)",
        ),
        (
            "thresholds:\n  spofMinTier1Dependents: 0\n",
            "2:27: `thresholds.spofMinTier1Dependents`: Input should be greater than or equal to 1",
        ),
        (
            "thresholds:\n  spofMinTier1Dependents: true\n",
            "2:27: `thresholds.spofMinTier1Dependents`: Input should be a valid integer",
        ),
        (
            "thresholds:\n  spofMinTier1Dependents: '3'\n",
            "2:27: `thresholds.spofMinTier1Dependents`: Input should be a valid integer",
        ),
        ("roots: policies\n", "1:8: `roots`: Input should be a valid list"),
        ("roots: []\n", "1:8: `roots`: List should have at least 1 item after validation, not 0"),
        ("thresholds:\n", "1:1: `thresholds` has no value: give it one or remove the key"),
        (
            "thresholds:\n  restoreTestEvery:\n",
            "2:3: `thresholds.restoreTestEvery` has no value: give it one or remove the key",
        ),
        ("- select\n", "1:1: the configuration must be a mapping of settings, not a list"),
        ("select\n", "1:1: the configuration must be a mapping of settings, not text"),
        ("failOn: never\n---\nasOf: today\n", "3:1: a second document: the configuration is one mapping of settings"),
        (
            "failOn: never\nfailOn: info\n",
            "2:1: duplicate key `failOn`: first defined at line 1; YAML tools disagree on which value wins, "
            "so relpolicy keeps the first",
        ),
        ("select: [RP302\n", "2:1: YAML syntax error: while parsing a flow sequence; did not find expected ',' or ']'"),
    ],
)
def test_bad_relpolicy_yaml_is_one_located_line(
    project: Path, text: str, error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad relpolicy.yaml stops the check with exit 2 and one `file:line:col: message` line."""
    (project / "relpolicy.yaml").write_text(text)
    assert fail(capsys) == (2, "", f"relpolicy: error: {project / 'relpolicy.yaml'}:{error}\n")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("[tool.relpolicy]\ncolour = 1\n", "unknown setting `colour`"),
        ('[tool.relpolicy]\nfailon = "info"\n', "unknown setting `failon`, did you mean `failOn`?"),
        (
            "[tool.relpolicy.thresholds]\nspofMinTier1Dependents = 2.0\n",
            "`thresholds.spofMinTier1Dependents`: Input should be a valid integer",
        ),
        (
            '[tool.relpolicy]\nselect = ["RP302", "RP999"]\n',
            "`select[1]`: unknown rule id `RP999`; `relpolicy rules` lists them",
        ),
        (
            '[tool.relpolicy]\nseverity = { nope = "error" }\n',
            "`severity.nope`: unknown rule name `nope`; `relpolicy rules` lists them",
        ),
        (
            "[tool.relpolicy]\nasOf = 2026-11-26T10:00:00\n",
            "`asOf`: `2026-11-26 10:00:00` is neither `today` nor a date: write YYYY-MM-DD",
        ),
        ("[tool]\nrelpolicy = 3\n", "`[tool.relpolicy]` must be a table of settings, not a number"),
    ],
)
def test_bad_pyproject_names_the_table_and_key(
    project: Path, text: str, error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """TOML keeps no positions, so a bad [tool.relpolicy] is one line naming the file, the table and the key."""
    (project / "pyproject.toml").write_text(text)
    assert fail(capsys) == (2, "", f"relpolicy: error: {project / 'pyproject.toml'} [tool.relpolicy]: {error}\n")


@pytest.mark.parametrize(
    ("files", "argv", "error"),
    [
        ({}, ["--config", "missing.yaml"], "missing.yaml: cannot read the configuration: No such file or directory"),
        ({"conf": None}, ["--config", "conf"], "conf: cannot read the configuration: Is a directory"),
        (
            {"bad.yaml": b"failOn: \xff\n"},
            ["--config", "bad.yaml"],
            "bad.yaml: cannot read the configuration: "
            "'utf-8' codec can't decode byte 0xff in position 8: invalid start byte",
        ),
        (
            {"pyproject.toml": b"[tool.relpolicy\n"},
            [],
            "{project}/pyproject.toml: cannot read the configuration: "
            "Expected ']' at the end of a table declaration (at line 1, column 16)",
        ),
        (
            {"pyproject.toml": b'[project]\nname = "shop"\n'},
            ["--config", "pyproject.toml"],
            "pyproject.toml: no [tool.relpolicy] table",
        ),
    ],
)
def test_unreadable_config_is_one_line(
    project: Path, files: dict[str, bytes | None], argv: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing, unreadable or undecodable configuration file is a one-line error with exit 2."""
    for name, content in files.items():
        if content is None:
            (project / name).mkdir()
        else:
            (project / name).write_bytes(content)
    assert fail(capsys, *argv) == (2, "", f"relpolicy: error: {error.format(project=project)}\n")


def test_load_settings_raises_a_located_error(project: Path) -> None:
    """The library API raises RelpolicyError with a Location for YAML settings."""
    (project / "relpolicy.yaml").write_text("failOn: never\nignore: [RP302, nope]\n")
    with pytest.raises(RelpolicyError) as raised:
        load_settings(project)
    location = raised.value.location
    assert location is not None
    assert (location.path, location.line, location.col) == (str(project / "relpolicy.yaml"), 2, 17)


# Effect on `relpolicy check`


def write_config(project: Path, text: str) -> None:
    (project / "relpolicy.yaml").write_text(text)


def test_no_config_reports_everything(
    project: Path, write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Without configuration, every rule runs at its default severity and an error fails the run."""
    write_policy(POLICY)
    assert check(capsys, "--as-of", "2026-11-26") == (1, [RP302, RP301], "")


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("ignore: [RP302]\n", (0, [RP301], "")),
        ("ignore: [tier-inversion, dependency-cycle]\n", (0, [], "")),
        ("select: [RP301]\n", (0, [RP301], "")),
        ("select: [tier-inversion]\n", (1, [RP302], "")),
        ("select: [RP302, RP301]\nignore: [RP302]\n", (0, [RP301], "")),
        ("severity: {RP302: warning}\n", (0, [(*RP302[:3], "warning"), RP301], "")),
        ("severity: {RP302: warning}\nfailOn: warning\n", (1, [(*RP302[:3], "warning"), RP301], "")),
        ("ignore: [RP302]\nseverity: {dependency-cycle: error}\n", (1, [(*RP301[:3], "error")], "")),
        ("ignore: [RP302]\nseverity: {RP301: info}\nfailOn: warning\n", (0, [(*RP301[:3], "info")], "")),
        ("ignore: [RP302]\nseverity: {RP301: info}\nfailOn: info\n", (1, [(*RP301[:3], "info")], "")),
        ("failOn: never\n", (0, [RP302, RP301], "")),
    ],
)
def test_selection_severity_and_fail_on(
    project: Path,
    write_policy: Callable[..., Path],
    config: str,
    expected: tuple[int, list[tuple[str, str, int, str]], str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """select/ignore choose the rules; severity overrides and failOn decide the exit code."""
    write_policy(POLICY)
    write_config(project, config)
    assert check(capsys, "--as-of", "2026-11-26") == expected


@pytest.mark.parametrize(
    ("config", "flag", "expected"),
    [
        ("failOn: never\n", "error", 1),
        ("failOn: info\n", "never", 0),
        ("failOn: error\nseverity: {RP302: info}\n", "info", 1),
        ("failOn: info\nseverity: {RP302: info, RP301: info}\n", "warning", 0),
    ],
)
def test_fail_on_flag_overrides_config(
    project: Path,
    write_policy: Callable[..., Path],
    config: str,
    flag: str,
    expected: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--fail-on wins over failOn."""
    write_policy(POLICY)
    write_config(project, config)
    assert check(capsys, "--as-of", "2026-11-26", "--fail-on", flag)[0] == expected


def test_as_of_flag_overrides_config(
    project: Path, write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """asOf fixes the date the check judges against, and --as-of wins over it."""
    write_policy(POLICY)
    write_config(project, "asOf: 2026-01-31\nfailOn: never\n")
    main(["check", "--format", "json"])
    assert json.loads(capsys.readouterr().out)["asOf"] == "2026-01-31"
    main(["check", "--format", "json", "--as-of", "2026-11-26"])
    assert json.loads(capsys.readouterr().out)["asOf"] == "2026-11-26"


def test_roots_are_the_default_paths(
    project: Path, write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Without paths, check reads the configured roots; paths on the command line replace them."""
    write_policy(POLICY)
    (project / "org").mkdir()
    (project / "org" / "clean.yaml").write_text(POLICY.split("---\n", maxsplit=1)[0])
    write_config(project, "roots: [org]\n")
    assert check(capsys, "--as-of", "2026-11-26") == (0, [], "")
    assert check(capsys, "--as-of", "2026-11-26", "policies") == (1, [RP302, RP301], "")
    write_config(project, "roots: [org, elsewhere]\n")
    assert fail(capsys) == (
        2,
        "",
        "relpolicy: error: no paths given and no elsewhere/ directory here; pass the files or directories to check\n",
    )


def test_per_path_ignores_apply_to_matching_files_only(
    project: Path, write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """perPathIgnores drops a rule's findings in files matching the glob (fnmatch: `*` also crosses `/`)."""
    write_policy(POLICY)
    write_policy(_renamed(POLICY, "old-"), "legacy/old.yaml")
    write_policy(_renamed(POLICY, "deep-"), "legacy/deeper/deep.yaml")
    legacy = [
        ("RP302", "policies/legacy/deeper/deep.yaml", 16, "error"),
        ("RP301", "policies/legacy/deeper/deep.yaml", 26, "warning"),
        ("RP302", "policies/legacy/old.yaml", 16, "error"),
        ("RP301", "policies/legacy/old.yaml", 26, "warning"),
    ]
    assert check(capsys, "--as-of", "2026-11-26") == (1, [*legacy, RP302, RP301], "")
    write_config(project, 'perPathIgnores:\n  "policies/legacy/**": [tier-inversion]\n')
    assert check(capsys, "--as-of", "2026-11-26") == (1, [legacy[1], legacy[3], RP302, RP301], "")
    write_config(project, 'perPathIgnores:\n  "policies/legacy/*.yaml": [RP302, RP301]\n  "*/policy.yaml": [RP301]\n')
    assert check(capsys, "--as-of", "2026-11-26") == (1, [RP302], "")
    write_config(project, 'perPathIgnores:\n  "policies/legacy/d*/*": [RP302]\n')
    assert check(capsys, "--as-of", "2026-11-26") == (1, [legacy[1], *legacy[2:], RP302, RP301], "")


def _renamed(policy: str, prefix: str) -> str:
    """The same policy with every resource name prefixed, so that it can sit beside the original."""
    for name in ("payments", "checkout", "recommendations", "printers", "scanners"):
        policy = policy.replace(f"name: {name}", f"name: {prefix}{name}").replace(
            f"service: {name}", f"service: {prefix}{name}"
        )
    return policy.replace("owner: payments", f"owner: {prefix}payments")


@pytest.mark.parametrize(
    ("threshold", "expected"), [("", 1), ("spofMinTier1Dependents: 3", 1), ("spofMinTier1Dependents: 4", 0)]
)
def test_spof_threshold(
    project: Path,
    write_policy: Callable[..., Path],
    threshold: str,
    expected: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """thresholds.spofMinTier1Dependents decides how many tier-1 dependents make RP306 (default 3)."""
    write_policy(SPOF)
    write_config(project, f"select: [RP306]\nthresholds: {{{threshold}}}\n")
    code, found, err = check(capsys, "--as-of", "2026-11-26", "--fail-on", "warning")
    assert (code, found, err) == (expected, [("RP306", "policies/policy.yaml", 10, "warning")] * expected, "")


def test_config_is_not_a_policy_document(
    project: Path, write_policy: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """relpolicy.yaml under a checked root is the configuration, not a policy file."""
    write_policy(POLICY)
    write_config(project, "roots: [.]\nignore: [RP302]\n")
    assert check(capsys, "--as-of", "2026-11-26") == (0, [RP301], "")
