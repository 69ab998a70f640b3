"""The wheel: typed (py.typed), and carrying the published schemas as relpolicy/schemas/ (equal to schemas/)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from tests.conftest import REPO

needs_hatchling = pytest.mark.skipif(
    importlib.util.find_spec("hatchling") is None, reason="hatchling (the build backend) is not installed"
)


def wheel(out: Path) -> Path:
    """Build the wheel of this checkout into ``out`` with hatchling's PEP 517 hook (offline, as pip would)."""
    code = "import sys, hatchling.build as backend; backend.build_wheel(sys.argv[1])"
    subprocess.run([sys.executable, "-c", code, str(out)], cwd=REPO, check=True, capture_output=True)
    (built,) = out.glob("relpolicy-*.whl")
    return built


@pytest.fixture(scope="module")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return wheel(tmp_path_factory.mktemp("wheel"))


@needs_hatchling
def test_wheel_is_typed_and_carries_every_schema(built_wheel: Path) -> None:
    """py.typed is in the package, and each file of schemas/ is in relpolicy/schemas/, byte for byte."""
    top_level = {
        path.relative_to(REPO / "schemas").as_posix(): path.read_bytes() for path in (REPO / "schemas").rglob("*.json")
    }
    assert "report/v1.json" in top_level
    with zipfile.ZipFile(built_wheel) as archive:
        names = set(archive.namelist())
        assert "relpolicy/py.typed" in names
        packaged = {
            name.removeprefix("relpolicy/schemas/"): archive.read(name)
            for name in names
            if name.startswith("relpolicy/schemas/")
        }
    assert packaged == top_level


@needs_hatchling
def test_installed_package_prints_its_own_schemas(built_wheel: Path, tmp_path: Path) -> None:
    """From the unpacked wheel, `relpolicy schema report` prints the packaged copy (no checkout to fall back on)."""
    site = tmp_path / "site"
    with zipfile.ZipFile(built_wheel) as archive:
        archive.extractall(site)
    (site / "relpolicy" / "schemas" / "report" / "v1.json").write_text('{"packaged": true}\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-m", "relpolicy", "schema", "report"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == '{"packaged": true}\n'
    where = subprocess.run(
        [sys.executable, "-c", "import relpolicy; print(relpolicy.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).parent == site / "relpolicy"
