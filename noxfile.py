"""Development sessions: `nox` runs lint, typecheck, tests, schemas, docs and dogfood (what CI runs)."""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "typecheck", "tests", "schemas", "docs", "dogfood", "fmt", "actions"]

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHON = "3.11"


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check, ruff format --check, and the import contracts of [tool.importlinter] (lint-imports)."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    # lint-imports only reads the source, so the package is found on the path rather than installed.
    session.run("lint-imports", env={"PYTHONPATH": "src"})


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on src/."""
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "typing"))
    session.run("mypy")


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The test suite with branch coverage."""
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "test"))
    session.run("coverage", "run", "-m", "pytest", *session.posargs)
    session.run("coverage", "report")


@nox.session(python=PYTHON)
def schemas(session: nox.Session) -> None:
    """Fail when schemas/ differs from the models (`relpolicy schema --out schemas` regenerates it)."""
    session.install("-e", ".")
    session.run("relpolicy", "schema", "--out", "schemas", "--check")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Fail when docs/runbooks/ or docs/sla.md differ from what policies/ renders (without --check, regenerate)."""
    session.install("-e", ".")
    session.run("relpolicy", "render", "runbooks", "policies", "--out", "docs/runbooks", "--check")
    session.run("relpolicy", "render", "sla", "policies", "--format", "md", "--out", "docs/sla.md", "--check")


@nox.session(python=PYTHON)
def dogfood(session: nox.Session) -> None:
    """The example organisation in policies/ passes `relpolicy check` cleanly."""
    session.install("-e", ".")
    session.run("relpolicy", "check", "policies", "--fail-on", "info")


@nox.session(python=PYTHON)
def fmt(session: nox.Session) -> None:
    """policies/ is in the canonical layout (`relpolicy fmt policies` rewrites it)."""
    session.install("-e", ".")
    session.run("relpolicy", "fmt", "--check", "policies")


@nox.session(python=PYTHON)
def actions(session: nox.Session) -> None:
    """The GitHub workflows, action.yml and the pre-commit manifest: zizmor and the published schemas, offline."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "actions"))
    session.run("zizmor", "--offline", ".")
    workflows = sorted(str(path) for path in Path(".github/workflows").glob("*.y*ml"))
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-actions", "action.yml")
    session.run("pre-commit", "validate-manifest", ".pre-commit-hooks.yaml")


@nox.session(python=PYTHON, default=False)
def fuzz(session: nox.Session) -> None:
    """The fuzzing campaign of hostile policy trees (not run by default; see docs/security.md).

    `nox -s fuzz -- --inputs 200000 --seed 1000 --save` draws 200,000 inputs from chunk seed 1000 on,
    appends the totals to fuzz/log.jsonl and keeps the smallest input of each failure class in
    tests/hostile/corpus/, which the test suite replays.
    """
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "test"))
    session.run("python", "-m", "fuzz.campaign", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """The performance benchmark (not run by default): `nox -s bench -- --large` adds 50,000 services.

    Generates synthetic repos in the temporary directory and writes
    benchmarks/results/latest.{json,md}; see docs/performance.md.
    """
    session.install("-e", ".", "networkx")  # networkx: the reference graph build the figures compare with
    session.run("python", "-m", "benchmarks.run", *session.posargs)
