"""The import contracts of pyproject.toml ([tool.importlinter]) hold, and are really checked.

The layers are those of docs/design.md ("Layers"). Besides the real project, each contract kind is
shown to fail: a copy of the configuration with two layers swapped, and a copy of the source with
a module that imports upwards and a lazy import of a heavy library on the check path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"


def _contracts() -> dict[str, Any]:
    table: dict[str, Any] = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    return table


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return json.dumps(value)  # a JSON string of plain text is a TOML basic string


def _write_config(path: Path, table: dict[str, Any]) -> Path:
    """``table`` as the [tool.importlinter] table of a TOML file."""
    lines = ["[tool.importlinter]"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in table.items() if key != "contracts"]
    for contract in table["contracts"]:
        lines += ["", "[[tool.importlinter.contracts]]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in contract.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _layers(table: dict[str, Any]) -> list[str]:
    layers: list[str] = next(c for c in table["contracts"] if c["type"] == "layers")["layers"]
    return layers


def test_the_project_keeps_its_contracts(capsys: pytest.CaptureFixture[str]) -> None:
    """Every contract of pyproject.toml holds on the source as it is."""
    status = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    output = capsys.readouterr().out
    assert (status, "Contracts: 4 kept, 0 broken." in output) == (0, True), output


def test_the_contracts_cover_every_layer_and_waive_nothing() -> None:
    """The layers name every top-level module once (exhaustive), and no contract ignores an import."""
    table = _contracts()
    layers = next(c for c in table["contracts"] if c["type"] == "layers")
    named = [name.strip() for layer in layers["layers"] for name in layer.split("|")]
    modules = sorted(
        path.stem if path.is_file() else path.name
        for path in (ROOT / "src" / "relpolicy").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").is_file()
    )
    assert (sorted(named), layers["exhaustive"]) == (sorted(set(modules) - {"__main__"}), True)
    assert [c["id"] for c in table["contracts"] if "ignore_imports" in c] == []


def test_a_layer_out_of_order_breaks_the_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With `model` moved above `policy | schema`, the policy's imports of the models are violations."""
    table = _contracts()
    layers = _layers(table)
    model, policy = layers.index("model"), layers.index("policy | schema")
    layers[model], layers[policy] = layers[policy], layers[model]
    config = _write_config(tmp_path / "pyproject.toml", table)

    status = lint_imports(config_filename=str(config), no_cache=True, no_logo=True)
    output = capsys.readouterr().out
    assert status == 1, output
    assert "relpolicy layers (docs/design.md) BROKEN" in output
    assert "relpolicy.policy is not allowed to import relpolicy.model:" in output


def test_an_upward_import_and_a_heavy_library_on_the_check_path_are_caught(tmp_path: Path) -> None:
    """A copy of the source with a model importing the engine, and the engine importing jinja2 lazily, fails."""
    package = tmp_path / "src" / "relpolicy"
    shutil.copytree(ROOT / "src" / "relpolicy", package, ignore=shutil.ignore_patterns("__pycache__"))
    (package / "model" / "_upward.py").write_text("from relpolicy.engine import Report\n", encoding="utf-8")
    with (package / "engine.py").open("a", encoding="utf-8") as engine:
        engine.write("\n\ndef _heavy() -> None:\n    import jinja2  # noqa: F401\n")
    script = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    done = subprocess.run(
        [sys.executable, "-c", script, str(PYPROJECT), "--no-cache", "--no-logo"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "src")},
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "relpolicy.model is not allowed to import relpolicy.engine:" in done.stdout
    assert "relpolicy.model._upward -> relpolicy.engine (l.1)" in done.stdout
    assert "relpolicy.engine is not allowed to import jinja2:" in done.stdout
    assert "Contracts: 1 kept, 3 broken." in done.stdout  # the models reach jinja2 through the engine too
