"""``relpolicy diff`` through the command line: sides, paths, options, exit codes and errors."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from tests.diff._repo import AS_OF, build_repo

from relpolicy.cli import main
from relpolicy.config import Settings
from relpolicy.diff import Side, Source, compare, opened
from relpolicy.diff.output import to_json
from relpolicy.diff.sides import SharedParses

SUMMARY_ONE = "1 change: 1 weaken a promise, 0 strengthen, 0 neutral; findings: 0 introduced, 0 fixed"


@pytest.fixture
def own_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the fixture repository that a test may edit, as the working directory."""
    repo = tmp_path / "org"
    build_repo(repo)
    monkeypatch.chdir(repo)
    return repo


def test_head_defaults_to_the_working_tree(own_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With only BASE, the files on disk are the head side (uncommitted edits included)."""
    path = own_repo / "policies" / "services" / "orders-db.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("copies: 3", "copies: 2"), encoding="utf-8")
    assert main(["diff", "HEAD", "--as-of", AS_OF]) == 0
    assert capsys.readouterr() == (
        f"relpolicy diff HEAD -> working tree: {SUMMARY_ONE}\n\n"
        "Service/orders-db\n  weakens      spec.recovery.backups.copies: 3 -> 2\n",
        "",
    )


def test_fail_on_weakens(own_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--fail-on weakens exits 1 when a promise is weakened, 0 when nothing is; the default never fails."""
    assert main(["diff", "base", "objective-lowered", "--fail-on", "weakens", "--as-of", AS_OF]) == 1
    assert main(["diff", "base", "objective-lowered", "--as-of", AS_OF]) == 0
    assert main(["diff", "HEAD", "--fail-on", "weakens", "--as-of", AS_OF]) == 0
    assert "0 changes" in capsys.readouterr().out.splitlines()[-1]
    assert own_repo.is_dir()


def test_options_after_the_sides_and_paths_after_the_separator(
    in_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Options may follow BASE and HEAD; PATH arguments after `--` narrow what is read on both sides."""
    code = main(
        [
            "diff",
            "priority-target",
            "--format",
            "json",
            "window-into-freeze",
            "--as-of",
            AS_OF,
            "--",
            "policies/services",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert (code, data["summary"]["changes"], data["base"], data["head"]) == (
        0,
        0,
        "priority-target",
        "window-into-freeze",
    )
    assert (
        main(["diff", "priority-target", "window-into-freeze", "--as-of", AS_OF, "--", "policies/maintenance.yaml"])
        == 0
    )
    # Without the services the window names, it takes nothing down: only its date moved.
    assert "1 change: 0 weaken a promise, 0 strengthen, 1 neutral" in capsys.readouterr().out.splitlines()[0]
    assert in_repo.is_dir()


def test_output_file_gets_the_diff_and_the_terminal_the_summary(
    in_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--output writes the chosen format to the file; standard output gets one summary line."""
    out = tmp_path / "diff.md"
    assert (
        main(
            ["diff", "window-into-freeze", "rto-raised", "--format", "markdown", "--output", str(out), "--as-of", AS_OF]
        )
        == 0
    )
    assert capsys.readouterr() == (f"relpolicy diff: {SUMMARY_ONE}\n", "")
    assert out.read_text(encoding="utf-8").startswith("## relpolicy diff\n\n**1 promise weakened**")
    assert in_repo.is_dir()


def test_two_directories(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Two directories are compared whole, no git needed; moving a resource to another file is no change."""
    repo = tmp_path / "org"
    build_repo(repo)
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(repo / "policies", old)
    shutil.copytree(repo / "policies", new)
    moved = new / "services" / "payments-api.yaml"
    moved.rename(new / "payments.yaml")
    (new / "payments.yaml").write_text(
        (new / "payments.yaml").read_text(encoding="utf-8").replace("rpo: 5m", "rpo: 1h"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["diff", "old", "new", "--as-of", AS_OF]) == 0
    assert capsys.readouterr() == (
        f"relpolicy diff old -> new: {SUMMARY_ONE}\n\n"
        "Service/payments-api\n  weakens      spec.recovery.rpo: 5m -> 1h\n",
        "",
    )


def test_a_side_that_does_not_load_is_reported_with_its_findings(
    own_repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that does not parse is an introduced finding, and what it held is reported removed; no traceback."""
    (own_repo / "policies" / "services" / "recommendations.yaml").write_text("spec: [unclosed\n", encoding="utf-8")
    assert main(["diff", "HEAD", "--format", "json", "--as-of", AS_OF]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert err == ""
    assert [f["ruleId"] for f in data["findings"]["introduced"]] == ["RP201", "RP101"]  # checkout names it
    assert {"Service/recommendations removed"} <= {c["message"] for c in data["changes"]}


@pytest.mark.usefixtures("in_repo")
@pytest.mark.parametrize(
    ("argv", "stderr"),
    [
        (["nosuch"], "relpolicy: error: diff: `nosuch` is neither a directory nor a git revision\n"),
        (["base", "nosuch"], "relpolicy: error: diff: `nosuch` is neither a directory nor a git revision\n"),
    ],
)
def test_bad_revisions_are_one_line(argv: list[str], stderr: str, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown revision is one line on stderr and exit 2."""
    assert main(["diff", *argv, "--as-of", AS_OF]) == 2
    assert capsys.readouterr() == ("", stderr)


@pytest.mark.usefixtures("in_repo")
@pytest.mark.parametrize(
    ("argv", "last"),
    [
        ([], "relpolicy diff: error: expected BASE and at most one HEAD before `--`, got 0: none"),
        (["a", "b", "c"], "relpolicy diff: error: expected BASE and at most one HEAD before `--`, got 3: a b c"),
        (["base", "--bogus"], "relpolicy diff: error: unrecognized arguments: --bogus"),
        (
            ["base", "--fail-on", "errors"],
            "relpolicy diff: error: argument --fail-on: invalid choice: 'errors' (choose from 'weakens', 'never')",
        ),
    ],
)
def test_usage_errors(argv: list[str], last: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Usage errors print the usage and one error line, exit 2."""
    assert main(["diff", *argv]) == 2
    out, err = capsys.readouterr()
    assert (out, err.splitlines()[-1]) == ("", last)


def test_outside_a_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A revision outside a git repository is one line, exit 2."""
    (tmp_path / "policies").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert main(["diff", "main"]) == 2
    assert capsys.readouterr() == (
        "",
        f"relpolicy: error: diff: `main` is not a directory, and {tmp_path.resolve()} is not in a git repository "
        "to read it from\n",
    )


def test_untrusted_text_is_escaped(own_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A control character written in a policy reaches the text and Markdown output escaped, never raw."""
    path = own_repo / "policies" / "services" / "recommendations.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Suggests products.", '"Suggests\\e]0;pwned\\a | *x*"'),
        encoding="utf-8",
    )
    assert main(["diff", "HEAD", "--as-of", AS_OF]) == 0
    text = capsys.readouterr().out
    assert "\x1b" not in text
    assert "spec.description: Suggests products. -> Suggests\\x1b]0;pwned\\x07 | *x*" in text
    assert main(["diff", "HEAD", "--format", "markdown", "--as-of", AS_OF]) == 0
    markdown = capsys.readouterr().out
    assert "\x1b" not in markdown
    assert "| Suggests\\\\x1b\\]0;pwned\\\\x07 \\| \\*x\\* |" in markdown


def test_console_script(in_repo: Path) -> None:
    """The installed `relpolicy` command runs the diff (one subprocess run)."""
    script = Path(sys.executable).parent / "relpolicy"
    done = subprocess.run(
        [str(script), "diff", "rto-raised", "owner-changed", "--as-of", AS_OF],
        cwd=in_repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr, done.stdout.splitlines()[0]) == (
        0,
        "",
        "relpolicy diff rto-raised -> owner-changed: 2 changes: 0 weaken a promise, 1 strengthen, 1 neutral; "
        "findings: 0 introduced, 1 fixed",
    )


def test_the_parse_cache_changes_nothing(own_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Both sides share check's parse cache: cold, warm and --no-cache runs print the same diff."""
    argv = ["diff", "base", "escalation-step-removed", "--format", "json", "--as-of", AS_OF]
    outputs = []
    for extra in ([], [], ["--no-cache"]):
        assert main([*argv, *extra]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] == outputs[2]
    assert (own_repo / ".relpolicy_cache").is_dir()


def test_a_file_the_same_on_both_sides_is_parsed_once(in_repo: Path) -> None:
    """Sides that share parses parse the changed file again and no other, and compare as if they did not."""
    as_of, settings, roots = dt.date.fromisoformat(AS_OF), Settings(), [Path("policies")]

    def side(revision: str, cache: SharedParses | None = None) -> AbstractContextManager[Side]:
        return opened(Source(revision), roots, cwd=in_repo, as_of=as_of, settings=settings, cache=cache)

    shared = SharedParses()
    with side("window-into-freeze", shared) as old:
        assert (shared.hits, shared.misses) == (0, old.files)
        with side("rto-raised", shared) as new:
            assert (shared.hits, shared.misses) == (old.files - 1, old.files + 1)
            together = to_json(compare(old, new))
    with side("window-into-freeze") as old, side("rto-raised") as new:
        assert to_json(compare(old, new)) == together


def test_renamed_added_and_removed_resources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same content under a new name is one rename; an SLO removed weakens, one added strengthens."""
    repo = tmp_path / "org"
    build_repo(repo)
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(repo / "policies", old)
    shutil.copytree(repo / "policies", new)
    calendar = new / "calendar.yaml"
    calendar.write_text(
        calendar.read_text(encoding="utf-8").replace("name: business", "name: office"), encoding="utf-8"
    )
    db = new / "services" / "orders-db.yaml"
    db.write_text(
        db.read_text(encoding="utf-8")
        .replace("orders-db-availability", "orders-db-uptime")
        .replace("objective: 99.95", "objective: 99.9"),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert main(["diff", "old", "new", "--as-of", AS_OF, "--format", "json"]) == 0
    changes = json.loads(capsys.readouterr().out)["changes"]
    resources = [(c["effect"], c["message"]) for c in changes if c["category"] == "resource"]
    assert resources == [
        ("neutral", "Calendar/business renamed to Calendar/office (same content)"),
        ("weakens", "SLO/orders-db-availability removed"),
        ("strengthens", "SLO/orders-db-uptime added"),
    ]


def test_no_policy_roots_in_the_working_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without PATHs and without the configured roots, the working tree side is a one-line error."""
    monkeypatch.chdir(tmp_path)
    assert main(["diff", "HEAD"]) == 2
    assert capsys.readouterr() == (
        "",
        "relpolicy: error: no paths given and no policies/ here; pass the policy paths after `--`\n",
    )


def test_a_side_without_policy_files_is_a_warning(in_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A path that holds no policy file on a side: everything is added or removed, and stderr says why."""
    assert main(["diff", "base", "rto-raised", "--as-of", AS_OF, "--", "policies/nothing-here"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("relpolicy diff base -> rto-raised: 0 changes")
    assert err == ("relpolicy: warning: no policy files in base\nrelpolicy: warning: no policy files in rto-raised\n")
    assert in_repo.is_dir()
