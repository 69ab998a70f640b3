"""The parse cache: a warm run reports exactly what a cold run does, and re-parses only what changed.

Every test gets its own key file (``XDG_CACHE_HOME`` in the temporary directory), so that nothing
is written to the user's home and no test sees another's cache.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from benchmarks.generate import generate
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import AS_OF, REPO

import relpolicy
from relpolicy.cli import main
from relpolicy.engine import Report, check
from relpolicy.report import text
from relpolicy.source import cache as cache_module
from relpolicy.source import loader, parse
from relpolicy.source.cache import SHARDS, ParseCache, fingerprint

BROKEN_ORG = REPO / "tests" / "fixtures" / "broken-org"

FAULTS: tuple[tuple[str, str], ...] = (
    ("- service: ", "- service: no-such-"),  # RP201, located at the reference
    ("  lifecycle: production\n", "  lifecycle: production\n  lifecycle: deprecated\n"),  # RP102 while parsing
    ("metadata:\n", "metadata: [\n"),  # RP101 syntax error while parsing
    ("    rto: ", "    rto: soon # was "),  # RP103, located at the value
)


@pytest.fixture(autouse=True)
def _private_key_file(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The display path of every file the loader parses (positions re-parsed on demand excluded)."""
    seen: list[str] = []
    real = loader.parse_yaml

    def counting(text: str, file: str, *, lazy_positions: bool = False) -> parse.ParseResult:
        seen.append(file)
        return real(text, file, lazy_positions=lazy_positions)

    monkeypatch.setattr(loader, "parse_yaml", counting)
    return seen


def _findings(report: Report) -> list[tuple[Any, ...]]:
    return [(f.rule_id, f.severity, f.location, f.message, f.subject, f.related) for f in report.findings]


def _same(report: Report, reference: Report) -> None:
    """Same findings (locations, messages, related notes), same counts, same rendered report."""
    assert _findings(report) == _findings(reference)
    assert (report.files, report.documents, report.resources) == (
        reference.files,
        reference.documents,
        reference.resources,
    )
    assert text.render(report, color=False) == text.render(reference, color=False)


def _generated(root: Path, services: int = 40, seed: int = 3, faults: int = 4) -> Path:
    """A generated repo with a fault of each kind in some services, so that there is much to locate."""
    generate(root, services, seed=seed, cycles=1)
    files = sorted((root / "services").rglob("*.yaml"))
    for number, (old, new) in enumerate(FAULTS[:faults]):
        path = files[(number * 7) % len(files)]
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return root


def _check(root: Path, base: Path, cache: ParseCache | None = None) -> Report:
    return check([root], as_of=AS_OF, base=base, cache=cache)


# --- A warm run is a cold run --------------------------------------------------------------------


def test_a_warm_run_reports_what_a_cold_run_does_on_the_broken_organisation(tmp_path: Path) -> None:
    cold = _check(BROKEN_ORG, REPO)
    filling = ParseCache(tmp_path / "cache")
    _same(_check(BROKEN_ORG, REPO, filling), cold)
    warm = ParseCache(tmp_path / "cache")
    _same(_check(BROKEN_ORG, REPO, warm), cold)
    assert (filling.hits, filling.misses) == (0, cold.files)
    assert (warm.hits, warm.misses) == (cold.files, 0)
    assert any(f.rule_id in {"RP101", "RP102"} for f in cold.findings)  # parse problems come from the cache


def test_a_warm_run_reports_what_a_cold_run_does_on_a_generated_repo(tmp_path: Path, parses: list[str]) -> None:
    root = _generated(tmp_path / "policies")
    cold = _check(root, tmp_path)
    assert {f.rule_id for f in cold.findings} >= {"RP101", "RP102", "RP103", "RP201"}
    _check(root, tmp_path, ParseCache(tmp_path / "cache"))
    parses.clear()
    warm = ParseCache(tmp_path / "cache")
    _same(_check(root, tmp_path, warm), cold)
    assert parses == []
    assert warm.misses == 0


def test_a_warm_run_after_an_edit_reparses_only_the_edited_file(tmp_path: Path, parses: list[str]) -> None:
    root = tmp_path / "policies"
    generate(root, 120, seed=5)
    _check(root, tmp_path, ParseCache(tmp_path / "cache"))
    edited = sorted((root / "services").rglob("*.yaml"))[17]
    edited.write_text(edited.read_text(encoding="utf-8").replace("- service: ", "- service: gone-", 1), "utf-8")
    parses.clear()
    warm_cache = ParseCache(tmp_path / "cache")
    warm = _check(root, tmp_path, warm_cache)
    shown = edited.relative_to(tmp_path).as_posix()
    assert parses == [shown]
    assert (warm_cache.hits, warm_cache.misses) == (warm.files - 1, 1)
    _same(warm, _check(root, tmp_path))
    assert any(f.location.path == shown and f.rule_id == "RP201" for f in warm.findings)
    parses.clear()
    _check(root, tmp_path, ParseCache(tmp_path / "cache"))  # the edit was saved too
    assert parses == []


def test_positions_of_a_cached_file_are_resolved_by_a_new_parse_only_when_asked(tmp_path: Path) -> None:
    root = _generated(tmp_path / "policies", faults=1)
    _check(root, tmp_path, ParseCache(tmp_path / "cache"))
    result = loader.load(loader.discover([root]), tmp_path, ParseCache(tmp_path / "cache"))
    reference = loader.load(loader.discover([root]), tmp_path)
    for fast, slow in zip(result.documents, reference.documents, strict=True):
        assert fast.data == slow.data
        assert fast.positions.file == slow.positions.file
        assert fast.positions.values == slow.positions.values
        assert fast.positions.keys == slow.positions.keys


def test_a_renamed_file_is_parsed_again(tmp_path: Path, parses: list[str]) -> None:
    root = tmp_path / "policies"
    shutil.copytree(BROKEN_ORG, root)
    _check(root, tmp_path, ParseCache(tmp_path / "cache"))
    (root / "teams.yaml").rename(root / "people.yaml")
    parses.clear()
    renamed = _check(root, tmp_path, ParseCache(tmp_path / "cache"))
    assert parses == ["policies/people.yaml"]
    _same(renamed, _check(root, tmp_path))


def test_file_names_that_are_not_utf8_are_cached(tmp_path: Path) -> None:
    root = tmp_path / "policies"
    shutil.copytree(BROKEN_ORG, root)
    (root / "teams.yaml").rename(root / os.fsdecode(b"te\xffams.yaml"))
    cold = _check(root, tmp_path)
    _check(root, tmp_path, ParseCache(tmp_path / "cache"))
    warm = ParseCache(tmp_path / "cache")
    _same(_check(root, tmp_path, warm), cold)
    assert warm.misses == 0


# --- Invalidation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda patch, _: patch.setattr(relpolicy._version, "__version__", "99.0"), id="relpolicy version"),
        pytest.param(lambda patch, _: patch.setattr(yaml, "__version__", "0.0"), id="PyYAML version"),
        pytest.param(lambda patch, _: patch.setattr(yaml, "__with_libyaml__", not yaml.__with_libyaml__), id="libyaml"),
        pytest.param(lambda patch, source: patch.setattr(parse, "__file__", str(source / "parse.py")), id="source"),
        pytest.param(lambda patch, _: patch.setattr(cache_module, "FORMAT", 99), id="format"),
    ],
)
def test_a_change_of_the_code_or_its_dependencies_invalidates_every_entry(
    tmp_path: Path, parses: list[str], change: Callable[[pytest.MonkeyPatch, Path], None]
) -> None:
    # An edited copy of relpolicy.source stands for an editable install changed without a version bump.
    source = tmp_path / "source"
    shutil.copytree(Path(parse.__file__).parent, source, ignore=shutil.ignore_patterns("__pycache__"))
    (source / "parse.py").write_text((source / "parse.py").read_text(encoding="utf-8") + "\n# edited\n", "utf-8")
    cold = _check(BROKEN_ORG, REPO, ParseCache(tmp_path / "cache"))
    before = fingerprint()
    with pytest.MonkeyPatch.context() as patch:
        change(patch, source)
        assert fingerprint() != before
        parses.clear()
        changed = ParseCache(tmp_path / "cache")
        _same(_check(BROKEN_ORG, REPO, changed), cold)
        assert (changed.hits, changed.misses) == (0, cold.files)
        assert len(parses) == cold.files


def test_the_fingerprint_is_stable_for_the_same_code() -> None:
    assert fingerprint() == fingerprint()


# --- Damaged, foreign and hostile entries ---------------------------------------------------------


def _filled(tmp_path: Path) -> tuple[Report, Path]:
    """A cold report of the broken organisation, and a cache directory filled by a run."""
    directory = tmp_path / "cache"
    cold = _check(BROKEN_ORG, REPO, ParseCache(directory))
    return cold, directory


def _shards(directory: Path) -> list[Path]:
    return sorted(directory.glob("parse-*.jsonl"))


@settings(max_examples=40)
@given(
    damage=st.sampled_from(["truncate", "flip", "insert", "replace"]),
    where=st.floats(0, 1),
    junk=st.binary(min_size=1, max_size=40),
)
def test_damaged_shards_are_misses_and_never_change_findings(
    tmp_path_factory: pytest.TempPathFactory, damage: str, where: float, junk: bytes
) -> None:
    tmp_path = tmp_path_factory.mktemp("damage")
    cold, directory = _filled(tmp_path)
    for shard in _shards(directory):
        data = shard.read_bytes()
        at = int(where * (len(data) - 1))
        damaged = {
            "truncate": data[:at],
            "flip": data[:at] + bytes([data[at] ^ (junk[0] or 1)]) + data[at + 1 :],
            "insert": data[:at] + junk + data[at:],
            "replace": junk,
        }[damage]
        shard.write_bytes(damaged)
    warm = ParseCache(directory)
    _same(_check(BROKEN_ORG, REPO, warm), cold)
    assert warm.hits == 0
    again = ParseCache(directory)  # the damaged shards were rewritten
    _same(_check(BROKEN_ORG, REPO, again), cold)
    assert again.misses == 0


def _key() -> bytes:
    return cache_module.default_key_file().read_bytes()


def _sign(shard: Path, body: bytes, key: bytes) -> None:
    head = shard.read_bytes().partition(b"\n")[0].rsplit(b" ", 1)[0]
    mac = hmac.new(key, head + b"\n" + body, hashlib.sha256).hexdigest().encode()
    shard.write_bytes(head + b" " + mac + b"\n" + body)


def _rewrite_entries(directory: Path, edit: Callable[[dict[str, Any]], object], key: bytes) -> None:
    """Rewrite every entry of every shard with ``edit`` (which returns the new JSON value) and sign it."""
    for shard in _shards(directory):
        lines = []
        for line in shard.read_bytes().partition(b"\n")[2].decode().splitlines():
            sha, shown, entry = line.split("\t", 2)
            lines.append(f"{sha}\t{shown}\t{json.dumps(edit(json.loads(entry)))}\n")
        _sign(shard, "".join(lines).encode(), key)


def _clean(entry: dict[str, Any]) -> object:
    return {"documents": entry["documents"], "problems": []}


def test_entries_signed_with_another_key_are_ignored(tmp_path: Path) -> None:
    """A planted cache (say, committed in a pull request) cannot hide a file's parse problems."""
    cold, directory = _filled(tmp_path)
    _rewrite_entries(directory, _clean, os.urandom(32))
    planted = ParseCache(directory)
    _same(_check(BROKEN_ORG, REPO, planted), cold)
    assert planted.hits == 0


def test_an_authentic_cache_is_trusted(tmp_path: Path) -> None:
    """The counterpart of the test above: the same edit signed with the user's key is served."""
    cold, directory = _filled(tmp_path)
    _rewrite_entries(directory, _clean, _key())
    trusted = _check(BROKEN_ORG, REPO, ParseCache(directory))
    assert {f.rule_id for f in cold.findings} & {"RP101", "RP102"}
    assert not {f.rule_id for f in trusted.findings} & {"RP101", "RP102"}


@pytest.mark.parametrize(
    "entry",
    [
        pytest.param(lambda e: [e], id="not a mapping"),
        pytest.param(lambda e: {**e, "extra": 1}, id="unknown key"),
        pytest.param(lambda e: {**e, "documents": {}}, id="documents not a list"),
        pytest.param(lambda e: {**e, "documents": [[True, {}]]}, id="boolean index"),
        pytest.param(lambda e: {**e, "documents": [[0, None]]}, id="empty document"),
        pytest.param(lambda e: {**e, "documents": [[0]]}, id="short document"),
        pytest.param(lambda e: {**e, "problems": [["RP101", "m", ["f", 1, 1, 1], "s", [], None]]}, id="short location"),
        pytest.param(lambda e: {**e, "problems": [["RP101", "m", ["f", 1, 1, 1, "2"], "s", [], None]]}, id="text line"),
        pytest.param(lambda e: {**e, "problems": [["RP101", 5, ["f", 1, 1, 1, 2], "s", [], None]]}, id="message"),
        pytest.param(lambda e: {**e, "problems": [["RP101", "m", ["f", 1, 1, 1, 2], "s", [1], None]]}, id="related"),
        pytest.param(lambda e: {**e, "problems": [["RP101", "m", ["f", 1, 1, 1, 2], "s", [], 7]]}, id="severity"),
        pytest.param(
            lambda e: {**e, "problems": [["RP101", "m", ["f", 1, 1, 1, 2], "s", [], "x"]]}, id="severity text"
        ),
        pytest.param(lambda e: {**e, "problems": {}}, id="problems not a list"),
    ],
)
def test_malformed_entries_are_misses_even_when_authentic(
    tmp_path: Path, entry: Callable[[dict[str, Any]], object]
) -> None:
    cold, directory = _filled(tmp_path)
    _rewrite_entries(directory, entry, _key())
    damaged = ParseCache(directory)
    _same(_check(BROKEN_ORG, REPO, damaged), cold)
    assert damaged.hits == 0


def test_deeply_nested_json_is_a_miss(tmp_path: Path) -> None:
    cold, directory = _filled(tmp_path)
    for shard in _shards(directory):
        lines = []
        for line in shard.read_bytes().partition(b"\n")[2].decode().splitlines():
            sha, shown, _ = line.split("\t", 2)
            lines.append(f"{sha}\t{shown}\t{'[' * 100_000}\n")
        _sign(shard, "".join(lines).encode(), _key())
    _same(_check(BROKEN_ORG, REPO, ParseCache(directory)), cold)


@pytest.mark.parametrize("kind", ["symlink to /dev/zero", "directory", "fifo", "symlink to a real shard"])
def test_shards_that_are_not_regular_files_are_not_read(tmp_path: Path, kind: str) -> None:
    cold, directory = _filled(tmp_path)
    elsewhere = tmp_path / "elsewhere.jsonl"
    for shard in _shards(directory):
        shard.replace(elsewhere) if kind == "symlink to a real shard" else shard.unlink()
        if kind == "symlink to /dev/zero":
            shard.symlink_to("/dev/zero")
        elif kind == "directory":
            shard.mkdir()
        elif kind == "fifo":
            os.mkfifo(shard)
        else:
            shard.symlink_to(elsewhere)
    odd = ParseCache(directory)
    _same(_check(BROKEN_ORG, REPO, odd), cold)
    assert odd.hits == 0


def test_a_shard_of_another_fingerprint_is_a_miss(tmp_path: Path) -> None:
    cold, directory = _filled(tmp_path)
    for shard in _shards(directory):
        head, _, body = shard.read_bytes().partition(b"\n")
        magic, version, _, mac = head.split(b" ")
        shard.write_bytes(b" ".join([magic, version, b"0" * 64, mac]) + b"\n" + body)
    foreign = ParseCache(directory)
    _same(_check(BROKEN_ORG, REPO, foreign), cold)
    assert foreign.hits == 0


def test_a_damaged_key_file_is_replaced_and_the_cache_still_works(tmp_path: Path) -> None:
    cold, directory = _filled(tmp_path)
    cache_module.default_key_file().write_bytes(b"short")
    fresh = ParseCache(directory)
    _same(_check(BROKEN_ORG, REPO, fresh), cold)
    assert fresh.hits == 0
    assert len(_key()) == 32
    again = ParseCache(directory)
    _check(BROKEN_ORG, REPO, again)
    assert again.misses == 0


# --- The directory, writes and concurrent runs ------------------------------------------------------


def test_the_cache_directory_is_tagged_and_ignored_by_git(tmp_path: Path) -> None:
    _, directory = _filled(tmp_path)
    assert (directory / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    assert (
        (directory / "CACHEDIR.TAG")
        .read_text(encoding="utf-8")
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    shards = _shards(directory)
    assert 1 <= len(shards) <= SHARDS
    assert not list(directory.glob(".*.tmp"))  # atomic writes leave no temporary files
    assert cache_module.default_key_file().stat().st_mode & 0o077 == 0


def test_an_unusable_cache_directory_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory", encoding="utf-8")
    cold = _check(BROKEN_ORG, REPO)
    _same(_check(BROKEN_ORG, REPO, ParseCache(tmp_path / "file")), cold)
    _same(_check(BROKEN_ORG, REPO, ParseCache(tmp_path / "file" / "below")), cold)


def test_a_symlinked_cache_directory_is_not_used(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (tmp_path / "link").symlink_to(target)
    cold = _check(BROKEN_ORG, REPO)
    _same(_check(BROKEN_ORG, REPO, ParseCache(tmp_path / "link")), cold)
    assert list(target.iterdir()) == []


def test_without_a_key_there_is_no_cache(tmp_path: Path) -> None:
    (tmp_path / "no-dir").write_text("a file where the key's directory should be", encoding="utf-8")
    keyless = ParseCache(tmp_path / "cache", key_file=tmp_path / "no-dir" / "cache-key")
    _same(_check(BROKEN_ORG, REPO, keyless), _check(BROKEN_ORG, REPO))
    assert not (tmp_path / "cache").exists()


def test_interleaved_runs_leave_a_valid_cache(tmp_path: Path) -> None:
    """Two runs that read the cache before either writes: the last write wins, and stays valid."""
    root = tmp_path / "policies"
    shutil.copytree(BROKEN_ORG, root)
    first, second = ParseCache(tmp_path / "cache"), ParseCache(tmp_path / "cache")
    before = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in sorted(root.glob("*.yaml"))}
    for shown, content in before.items():
        assert first.get(shown, content, content.decode()) is None
        assert second.get(shown, content, content.decode()) is None
    (root / "services.yaml").write_text("kind: [\n", encoding="utf-8")
    loader.load(loader.discover([root]), tmp_path, second)  # sees the edit, saves it
    for shown, content in before.items():
        first.put(shown, content, parse.parse_yaml(content.decode(), shown, lazy_positions=True))
    first.save()  # an older view of services.yaml replaces the newer one: still keyed by its hash
    third = ParseCache(tmp_path / "cache")
    _same(_check(root, tmp_path, third), _check(root, tmp_path))
    assert third.misses == 1


# --- Command line and configuration ---------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(BROKEN_ORG, tmp_path / "policies")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*argv: str) -> int:
    return main(["check", "--as-of", "2026-11-26", "--format", "json", "--output", "report.json", *argv])


def test_the_command_line_caches_by_default(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run() == 1
    cold = (project / "report.json").read_text(encoding="utf-8")
    assert _shards(project / ".relpolicy_cache")
    assert _run() == 1
    assert (project / "report.json").read_text(encoding="utf-8") == cold
    capsys.readouterr()


def test_no_cache_writes_no_cache(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run("--no-cache")
    assert not (project / ".relpolicy_cache").exists()
    capsys.readouterr()


def test_cache_dir_chooses_the_directory(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run("--cache-dir", "build/cache")
    assert _shards(project / "build" / "cache")
    assert not (project / ".relpolicy_cache").exists()
    capsys.readouterr()


@pytest.mark.parametrize(("setting", "directory"), [("null", None), ("false", None), ("tmp/parsed", "tmp/parsed")])
def test_the_cache_dir_setting(
    project: Path, capsys: pytest.CaptureFixture[str], setting: str, directory: str | None
) -> None:
    (project / "relpolicy.yaml").write_text(f"cacheDir: {setting}\n", encoding="utf-8")
    _run()
    assert not (project / ".relpolicy_cache").exists()
    if directory is not None:
        assert _shards(project / directory)
    _run("--cache-dir", "flag")  # the flag wins over the setting
    assert _shards(project / "flag")
    capsys.readouterr()


@pytest.mark.parametrize("setting", ["true", '""', "[a]", "3"])
def test_a_bad_cache_dir_setting_is_a_located_error(
    project: Path, capsys: pytest.CaptureFixture[str], setting: str
) -> None:
    (project / "relpolicy.yaml").write_text(f"cacheDir: {setting}\n", encoding="utf-8")
    assert _run() == 2
    error = capsys.readouterr().err
    assert "relpolicy.yaml:1:11" in error
    assert "is neither a directory nor false" in error


def test_the_library_does_not_cache_unless_asked(project: Path) -> None:
    check([project / "policies"], as_of=AS_OF)
    assert not (project / ".relpolicy_cache").exists()
