"""Hostile file systems: links out of the tree, FIFOs, sockets, unreadable folders, and outputs that are links.

A pull request decides what is on disk where relpolicy runs. Each case builds a project whose
``policies/`` holds a valid team (``good.yaml``) and a witness (``witness.yaml``, a team with an
unknown calendar, so RP201) beside the hostile entry, runs the real entry point from it, and
asserts the exit code, that the witness is still reported, that no "internal error" appears, and
that the secret marker of a file outside the tree reaches no output. Cases where a regression
would hang (FIFOs) run ``python -m relpolicy`` in a subprocess with a timeout, and measure its
time and memory against generous bounds.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.conftest import REPO
from tests.hostile._trees import GOOD_TEAM, WITNESS_TEAM

from relpolicy.cli import main
from relpolicy.source.loader import OUTSIDE_THE_TREE

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="links, FIFOs and sockets as POSIX has them")

AS_OF = "2026-11-26"
SECRET = "RELPOLICY-SECRET-MARKER-5f0c2e"  # noqa: S105 - a marker to look for, not a password
"""In every file outside the tree: it must appear in no output of any command."""

WITNESS = ("RP201", "policies/witness.yaml", 5, 13, "no Calendar `nowhere`; known: always")
# Read, this would show the marker in a code frame (a syntax error) or a message (an unknown name).
SECRET_YAML = f"apiVersion: relpolicy.dev/v1\nkind: Team\nmetadata: {{name: {SECRET}}}\nspec: [{SECRET}\n"
FORMATS = ("text", "json", "sarif", "github", "junit")
TIME_BOUND = 10.0
"""Seconds a subprocess may take: far above the ~1 s it needs, far below forever."""
MEMORY_BOUND = 500 * 2**20

Run = Callable[..., tuple[int, str, str]]
Row = tuple[str, str, int, int, str]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``repo/`` (the working directory) with policies/good.yaml and witness.yaml; ``outside/secret.yaml`` beside it."""
    repo = tmp_path / "repo"
    (repo / "policies").mkdir(parents=True)
    (repo / "policies" / "good.yaml").write_text(GOOD_TEAM)
    (repo / "policies" / "witness.yaml").write_text(WITNESS_TEAM)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.yaml").write_text(SECRET_YAML)
    monkeypatch.chdir(repo)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return repo


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example organisation (documents render from it), the working directory."""
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "policies", repo / "policies")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "target.md").write_text(f"{SECRET}\n")
    monkeypatch.chdir(repo)
    return repo


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``main(argv)`` in this process: (exit code, stdout, stderr), never an internal error."""

    def run_main(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        assert "internal error" not in err
        assert "Traceback" not in out + err
        return code, out, err

    return run_main


def run_process(*argv: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """``python -m relpolicy argv`` with a timeout, so that a hang fails the test; time and memory bounded."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "relpolicy", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIME_BOUND,
        check=False,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )
    assert time.monotonic() - started < TIME_BOUND
    # The largest resident set of any child so far: KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    assert peak < MEMORY_BOUND
    assert "internal error" not in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    return done.returncode, done.stdout, done.stderr


def rows(report_json: str) -> list[Row]:
    """``(rule, path, line, col, message)`` of each finding of a JSON report."""
    return [
        (f["ruleId"], f["location"]["path"], f["location"]["line"], f["location"]["column"], f["message"])
        for f in json.loads(report_json)["findings"]
    ]


def check_json(run: Run, *paths: str, code: int = 1) -> list[Row]:
    """Check as JSON; the rows of its findings (after asserting the exit code and an empty stderr)."""
    exit_code, out, err = run("check", "--format", "json", "--as-of", AS_OF, "--no-cache", *paths)
    assert (exit_code, err) == (code, "")
    assert SECRET not in out
    return rows(out)


def refused(path: str, why: str = OUTSIDE_THE_TREE) -> Row:
    return ("RP100", path, 1, 1, why)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes (links as their target's path)."""
    return {
        str(path.relative_to(folder)): str(path.readlink()).encode() if path.is_symlink() else path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_symlink() or path.is_file()
    }


# --- Reading: links that leave the tree -----------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_link_to_a_secret_outside_the_tree_is_a_finding_without_its_contents(
    project: Path, run: Run, fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A policy file linked to a file outside the tree is RP100 in every format, and the target is never read."""
    (project / "policies" / "leak.yaml").symlink_to(tmp_path / "outside" / "secret.yaml")
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, err = run("check", "--format", fmt, "--as-of", AS_OF, "--no-cache")
    assert code == 1
    assert SECRET not in out + err
    assert SECRET not in (summary.read_text() if summary.exists() else "")
    assert "policies/leak.yaml" in out
    assert "points outside the policy tree" in out
    assert "no Calendar `nowhere`" in out, "the witness is still checked"


def test_link_to_a_secret_outside_the_tree_in_json(project: Path, run: Run, tmp_path: Path) -> None:
    """The finding is located at the link, and the other files are checked."""
    (project / "policies" / "leak.yaml").symlink_to(tmp_path / "outside" / "secret.yaml")
    (project / "policies" / "up.yaml").symlink_to("../../outside/secret.yaml")  # relative, same thing
    assert check_json(run) == [refused("policies/leak.yaml"), refused("policies/up.yaml"), WITNESS]


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="no /proc/self/environ")
def test_link_to_the_process_environment_leaks_nothing(project: Path) -> None:
    """The attack as reported: policies/x.yaml -> /proc/self/environ with a secret in the environment."""
    (project / "policies" / "x.yaml").symlink_to("/proc/self/environ")
    for fmt in FORMATS:
        code, out, err = run_process(
            "check", "--format", fmt, "--as-of", AS_OF, "--no-cache", cwd=project, env={"CI_TOKEN": SECRET}
        )
        assert code == 1
        assert SECRET not in out + err
        assert "policies/x.yaml" in out
        assert "policies/witness.yaml" in out


def test_folder_link_that_leaves_the_tree_is_a_finding(project: Path, run: Run, tmp_path: Path) -> None:
    """A linked folder outside the tree is RP100 at the link and is not walked."""
    (project / "policies" / "shared").symlink_to(tmp_path / "outside", target_is_directory=True)
    assert check_json(run) == [refused("policies/shared"), WITNESS]


def test_links_that_stay_inside_the_tree_are_followed(project: Path, run: Run) -> None:
    """The rule is about where a link leads, not that it is a link: a link inside the tree is read."""
    (project / "policies" / "sub").mkdir()
    (project / "policies" / "witness.yaml").rename(project / "policies" / "sub" / "witness.yaml")
    (project / "policies" / "witness.yaml").symlink_to("sub/witness.yaml")
    (project / "policies" / "sub" / "good.yaml").symlink_to("../good.yaml")  # up, but still inside
    found = check_json(run, "policies/good.yaml", "policies/witness.yaml")
    assert found == [WITNESS]


def test_a_path_argument_that_links_out_of_its_folder_is_judged_the_same(
    project: Path, run: Run, tmp_path: Path
) -> None:
    """A file or folder named on the command line that is a link out of its folder is refused too."""
    (project / "policies" / "leak.yaml").symlink_to(tmp_path / "outside" / "secret.yaml")
    (project / "elsewhere").symlink_to(tmp_path / "outside", target_is_directory=True)
    found = check_json(run, "policies/leak.yaml", "elsewhere", "policies/witness.yaml")
    assert found == [refused("elsewhere"), refused("policies/leak.yaml"), WITNESS]


def test_a_policy_root_that_is_a_link_out_of_the_repository_is_refused(project: Path, run: Run, tmp_path: Path) -> None:
    """The default root, committed as a link to a folder outside, is not walked."""
    shutil.rmtree(project / "policies")
    (project / "policies").symlink_to(tmp_path / "outside", target_is_directory=True)
    assert check_json(run) == [refused("policies")]


def test_inputs_that_link_out_of_their_folder_are_not_read(project: Path, run: Run, tmp_path: Path) -> None:
    """Configuration and baseline files are judged by the same rule: one line, exit 2, no contents."""
    (project / "relpolicy.yaml").symlink_to(tmp_path / "outside" / "secret.yaml")
    assert run("check", "--as-of", AS_OF) == (
        2,
        "",
        f"relpolicy: error: {project / 'relpolicy.yaml'}: cannot read the configuration: it is a symbolic link "
        "to a file outside its folder, so it is not read\n",
    )
    (project / "relpolicy.yaml").unlink()
    (project / "baseline.json").symlink_to(tmp_path / "outside" / "secret.yaml")
    assert run("check", "--as-of", AS_OF, "--baseline", "baseline.json") == (
        2,
        "",
        "relpolicy: error: baseline.json: cannot read the baseline: it is a symbolic link to a file outside its "
        "folder, so it is not read\n",
    )


def test_a_template_that_links_out_of_the_templates_folder_is_not_read(example: Path, run: Run, tmp_path: Path) -> None:
    """A user template linked to a file outside --templates would put that file into the documents."""
    (example / "templates").mkdir()
    (example / "templates" / "runbook.md.j2").symlink_to(tmp_path / "outside" / "target.md")
    code, out, err = run("render", "runbooks", "policies", "--templates", "templates", "--out", "docs")
    assert (code, out) == (2, "")
    assert err == (
        "relpolicy: error: templates/runbook.md.j2: cannot read the template: it is a symbolic link to a file "
        "outside templates/, so it is not read\n"
    )
    assert not (example / "docs").exists()


# --- Reading: FIFOs, sockets and unreadable folders ------------------------------------------------


def test_fifo_in_the_tree_is_a_finding_and_does_not_hang(project: Path) -> None:
    """``mkfifo policies/p.yaml`` made check wait forever for a writer."""
    os.mkfifo(project / "policies" / "p.yaml")
    code, out, err = run_process("check", "--format", "json", "--as-of", AS_OF, "--no-cache", cwd=project)
    assert (code, err) == (1, "")
    assert rows(out) == [refused("policies/p.yaml", "is a FIFO, not a regular file, so it is not read"), WITNESS]


def test_fifo_as_a_path_argument_is_a_finding_and_does_not_hang(project: Path) -> None:
    """A FIFO named on the command line is refused by its type, never opened for reading."""
    os.mkfifo(project / "stream.yaml")
    argv = ("check", "--format", "json", "--as-of", AS_OF, "--no-cache", "stream.yaml", "policies")
    code, out, err = run_process(*argv, cwd=project)
    assert (code, err) == (1, "")
    assert rows(out) == [WITNESS, refused("stream.yaml", "is a FIFO, not a regular file, so it is not read")]


@pytest.mark.parametrize(
    ("argv", "fifo", "message"),
    [
        pytest.param(
            ("--config", "conf.yaml"),
            "conf.yaml",
            "conf.yaml: cannot read the configuration: it is a FIFO, not a regular file",
            id="config-argument",
        ),
        pytest.param(
            (),
            "relpolicy.yaml",
            "{project}/relpolicy.yaml: cannot read the configuration: it is a FIFO, not a regular file",
            id="config-found",
        ),
        pytest.param(
            (),
            "pyproject.toml",
            "{project}/pyproject.toml: cannot read the configuration: it is a FIFO, not a regular file",
            id="pyproject",
        ),
        pytest.param(
            ("--baseline", "baseline.json"),
            "baseline.json",
            "baseline.json: cannot read the baseline: it is a FIFO, not a regular file",
            id="baseline",
        ),
    ],
)
def test_fifo_as_config_or_baseline_is_one_line_and_does_not_hang(
    project: Path, argv: tuple[str, ...], fifo: str, message: str
) -> None:
    """A FIFO where a configuration or a baseline is read is exit 2 with one line, at once."""
    os.mkfifo(project / fifo)
    code, out, err = run_process("check", "--as-of", AS_OF, "--no-cache", *argv, cwd=project)
    assert (code, out, err) == (2, "", f"relpolicy: error: {message.format(project=project)}\n")


def test_fifo_as_a_template_is_one_line_and_does_not_hang(example: Path) -> None:
    """A FIFO in the --templates folder is exit 2 with one line."""
    (example / "templates").mkdir()
    os.mkfifo(example / "templates" / "runbook.md.j2")
    argv = ("render", "runbooks", "policies", "--templates", "templates", "--out", "docs")
    assert run_process(*argv, cwd=example) == (
        2,
        "",
        "relpolicy: error: templates/runbook.md.j2: cannot read the template: it is a FIFO, not a regular file\n",
    )


@pytest.fixture
def unix_socket(project: Path) -> Iterator[Path]:
    """A listening-capable Unix socket at policies/s.yaml (bound by a relative name: paths are short)."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind("policies/s.yaml")
        yield project / "policies" / "s.yaml"
    finally:
        server.close()


def test_socket_in_the_tree_is_a_finding(project: Path, run: Run, unix_socket: Path) -> None:
    """A socket with a policy file's name is refused by its type, in the walk and as an argument."""
    assert stat.S_ISSOCK(unix_socket.lstat().st_mode)
    why = "is a socket, not a regular file, so it is not read"
    assert check_json(run) == [refused("policies/s.yaml", why), WITNESS]
    assert check_json(run, "policies/s.yaml", "policies/witness.yaml") == [refused("policies/s.yaml", why), WITNESS]


def test_unreadable_folder_is_a_finding(project: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder that cannot be listed is RP100 at the folder, not skipped in silence (tests run as root: a fake)."""
    (project / "policies" / "locked").mkdir()
    (project / "policies" / "locked" / "hidden.yaml").write_text(WITNESS_TEAM)
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert check_json(run) == [refused("policies/locked", "cannot read the folder: Permission denied"), WITNESS]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any folder whatever its mode")
def test_unreadable_folder_is_a_finding_for_real(project: Path, run: Run) -> None:  # pragma: no cover - not as root
    """The same, with a real folder of mode 000."""
    locked = project / "policies" / "locked"
    locked.mkdir()
    (locked / "hidden.yaml").write_text(WITNESS_TEAM)
    locked.chmod(0)
    try:
        assert check_json(run) == [refused("policies/locked", "cannot read the folder: Permission denied"), WITNESS]
    finally:
        locked.chmod(0o755)


# --- Writing: never through a link, never outside the output folder ------------------------------


def test_render_does_not_write_through_a_link_in_the_output_folder(example: Path, run: Run, tmp_path: Path) -> None:
    """A committed link where a page goes is refused before anything is written; its target is unchanged."""
    docs = example / "docs"
    docs.mkdir()
    (docs / "checkout.md").symlink_to(tmp_path / "outside" / "target.md")
    before = snapshot(tmp_path / "outside")
    assert run("render", "runbooks", "policies", "--out", "docs") == (
        2,
        "",
        "relpolicy: error: docs/checkout.md: is a symbolic link; relpolicy never writes through links: "
        "remove it and run again\n",
    )
    assert snapshot(tmp_path / "outside") == before
    assert sorted(p.name for p in docs.iterdir()) == ["checkout.md"], "nothing was written"


def test_render_does_not_write_into_an_output_folder_that_is_a_link(example: Path, run: Run, tmp_path: Path) -> None:
    """The output folder (or a folder on the way to it) committed as a link is refused too."""
    (example / "docs").symlink_to(tmp_path / "outside", target_is_directory=True)
    before = snapshot(tmp_path / "outside")
    for out in ("docs", "docs/runbooks"):
        code, stdout, err = run("render", "runbooks", "policies", "--out", out)
        shown = "docs: is" if out == "docs" else "docs/runbooks: docs is"
        assert (code, stdout, err) == (
            2,
            "",
            f"relpolicy: error: {shown} a symbolic link; relpolicy never writes through links\n",
        )
    assert snapshot(tmp_path / "outside") == before


def test_render_check_never_shows_a_link_target(example: Path, run: Run, tmp_path: Path) -> None:
    """--check reports a link where a generated file belongs as stale, without reading what it points to."""
    assert run("render", "runbooks", "policies", "--out", "docs")[0] == 0
    (example / "docs" / "checkout.md").unlink()
    (example / "docs" / "checkout.md").symlink_to(tmp_path / "outside" / "target.md")
    code, out, err = run("render", "runbooks", "policies", "--out", "docs", "--check")
    assert (code, out) == (1, "")
    assert SECRET not in err
    assert err == (
        "relpolicy: docs/checkout.md: is a symbolic link, not a regular file; the generated file belongs there\n"
        "relpolicy: 1 generated file(s) out of date; run `relpolicy render runbooks policies --out docs`\n"
    )


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(("check", "--as-of", AS_OF, "--output", "{out}"), id="check-output"),
        pytest.param(("check", "--as-of", AS_OF, "--write-baseline", "{out}"), id="write-baseline"),
        pytest.param(("render", "sla", "policies", "--out", "{out}"), id="render-sla"),
        pytest.param(("graph", "policies", "--out", "{out}"), id="graph"),
    ],
)
def test_file_outputs_are_never_written_through_a_link(
    example: Path, run: Run, tmp_path: Path, argv: tuple[str, ...]
) -> None:
    """--output, --write-baseline and every --out FILE refuse a link at the destination; its target is unchanged."""
    (example / "report.out").symlink_to(tmp_path / "outside" / "target.md")
    before = snapshot(tmp_path / "outside")
    code, out, err = run(*(arg.format(out="report.out") for arg in argv))
    assert code == 2
    assert err == (
        "relpolicy: error: report.out: is a symbolic link; relpolicy never writes through links: "
        "remove it and run again\n"
    )
    assert SECRET not in out
    assert snapshot(tmp_path / "outside") == before
    assert (example / "report.out").is_symlink()


def test_schema_out_folder_that_is_a_link_is_refused(example: Path, run: Run, tmp_path: Path) -> None:
    """schema --out DIR where DIR is a link: nothing is written there."""
    (example / "schemas").symlink_to(tmp_path / "outside", target_is_directory=True)
    before = snapshot(tmp_path / "outside")
    assert run("schema", "--out", "schemas") == (
        2,
        "",
        "relpolicy: error: schemas: is a symbolic link; relpolicy never writes through links\n",
    )
    assert snapshot(tmp_path / "outside") == before


# --- Writing: usage errors and one rule for every output (issue 14) -------------------------------

OUTPUTS = [
    pytest.param(("check", "--as-of", AS_OF, "--output", "{out}"), "file", id="check-output"),
    pytest.param(("check", "--as-of", AS_OF, "--write-baseline", "{out}"), "file", id="write-baseline"),
    pytest.param(("render", "sla", "policies", "--out", "{out}"), "file", id="render-sla"),
    pytest.param(("graph", "policies", "--out", "{out}"), "file", id="graph"),
    pytest.param(("render", "runbooks", "policies", "--out", "{out}"), "folder", id="render-runbooks"),
    pytest.param(("schema", "--out", "{out}"), "folder", id="schema"),
]


@pytest.mark.parametrize(("argv", "kind"), OUTPUTS)
def test_every_output_creates_its_missing_folders(example: Path, run: Run, argv: tuple[str, ...], kind: str) -> None:
    """Every --out, --output and --write-baseline creates the folders it needs, as `mkdir -p` does."""
    code, _, err = run(*(arg.format(out="new/deeper/out") for arg in argv))
    assert code in {0, 1}, err
    made = example / "new" / "deeper" / "out"
    assert made.is_file() if kind == "file" else any(made.iterdir())


@pytest.mark.parametrize(("argv", "kind"), OUTPUTS)
def test_an_output_below_a_file_is_a_usage_error(example: Path, run: Run, argv: tuple[str, ...], kind: str) -> None:
    """A path under a file (NotADirectoryError before) is exit 2 with one plain line naming it."""
    (example / "taken").write_text("a file\n")
    assert run(*(arg.format(out="taken/out") for arg in argv)) == (
        2,
        "",
        "relpolicy: error: taken/out: taken is a file, not a folder\n",
    )
    assert (example / "taken").read_text() == "a file\n"
    del kind


@pytest.mark.parametrize(("argv", "kind"), OUTPUTS)
def test_an_output_of_the_wrong_kind_is_a_usage_error(
    example: Path, run: Run, argv: tuple[str, ...], kind: str
) -> None:
    """A folder where a file goes, or a file where a folder goes (FileExistsError before), is one line, exit 2."""
    if kind == "file":
        (example / "existing").mkdir()
        expected = "relpolicy: error: existing: is a folder; give the path of a file\n"
    else:
        (example / "existing").write_text("a file\n")
        expected = "relpolicy: error: existing: is a file, not a folder\n"
    assert run(*(arg.format(out="existing") for arg in argv)) == (2, "", expected)


def test_writes_are_atomic_and_keep_permissions(project: Path, run: Run) -> None:
    """A report replaces the old file in one step (no temporary file left) and keeps its mode."""
    report = project / "report.json"
    report.write_text("old\n")
    report.chmod(0o640)
    assert run("check", "--format", "json", "--as-of", AS_OF, "--no-cache", "--output", "report.json")[0] == 1
    assert rows(report.read_text()) == [WITNESS]
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
    assert sorted(p.name for p in project.iterdir()) == ["policies", "report.json"]


def test_a_fifo_as_output_is_refused_without_hanging(project: Path) -> None:
    """A FIFO where the report goes is exit 2 with one line (opening it to write would wait for a reader)."""
    os.mkfifo(project / "report.txt")
    argv = ("check", "--as-of", AS_OF, "--no-cache", "--output", "report.txt")
    assert run_process(*argv, cwd=project) == (
        2,
        "",
        "relpolicy: error: report.txt: is a FIFO, not a regular file\n",
    )


def test_schema_check_never_reads_a_link_target(example: Path, run: Run, tmp_path: Path) -> None:
    """schema --check reports a link where a schema belongs as stale, and a write refuses it."""
    assert run("schema", "--out", "schemas")[0] == 0
    (example / "schemas" / "team.json").unlink()
    (example / "schemas" / "team.json").symlink_to(tmp_path / "outside" / "target.md")
    (example / "schemas" / "extra.json").write_text("{}\n")
    (example / "schemas" / "slo.json").write_text("{}\n")
    code, out, err = run("schema", "--out", "schemas", "--check")
    assert (code, out) == (1, "")
    assert SECRET not in err
    assert err == (
        "schemas/slo.json: out of date; run `relpolicy schema --out schemas`\n"
        "schemas/team.json: is a symbolic link, not a regular file; run `relpolicy schema --out schemas`\n"
        "schemas/extra.json: not generated by relpolicy; remove it\n"
    )
    assert run("schema", "--out", "schemas") == (
        2,
        "",
        "relpolicy: error: schemas/team.json: is a symbolic link; relpolicy never writes through links: "
        "remove it and run again\n",
    )
    assert (example / "schemas" / "slo.json").read_text() == "{}\n", "nothing is written before the refusal"


def test_a_template_that_is_not_utf8_is_one_line(example: Path, run: Run) -> None:
    (example / "templates").mkdir()
    (example / "templates" / "runbook.md.j2").write_bytes(b"caf\xe9\n")
    assert run("render", "runbooks", "policies", "--templates", "templates", "--out", "docs") == (
        2,
        "",
        "relpolicy: error: templates/runbook.md.j2: cannot read the template: "
        "it is not UTF-8 (invalid continuation byte at byte 3)\n",
    )


def test_the_parse_cache_writes_nothing_through_a_link(project: Path, run: Run, tmp_path: Path) -> None:
    """A cache folder below a committed link is not written (the check runs without the cache)."""
    (project / "build").symlink_to(tmp_path / "outside", target_is_directory=True)
    before = snapshot(tmp_path / "outside")
    code, out, err = run("check", "--format", "json", "--as-of", AS_OF, "--cache-dir", "build/cache")
    assert (code, err, rows(out)) == (1, "", [WITNESS])
    assert snapshot(tmp_path / "outside") == before
    assert run("check", "--format", "json", "--as-of", AS_OF, "--cache-dir", "cache")[0] == 1
    assert sorted(p.name for p in (project / "cache").iterdir())[:2] == [".gitignore", "CACHEDIR.TAG"]
