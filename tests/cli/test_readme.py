"""The README's shell blocks can be pasted: plain commands, and each `relpolicy` one parses with the real CLI."""

from __future__ import annotations

import re
import shlex

import pytest
from tests.conftest import REPO

from relpolicy.cli import _COMMANDS, _parser

SH_BLOCK = re.compile(r"^```sh\n(.*?)^```$", flags=re.DOTALL | re.MULTILINE)


def commands() -> list[str]:
    """Every command line of every ```sh block of the README, comments dropped."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    lines = [line for block in SH_BLOCK.findall(text) for line in block.splitlines()]
    return [" ".join(shlex.split(line, comments=True)) for line in lines if shlex.split(line, comments=True)]


def test_the_readme_has_shell_blocks() -> None:
    """The setup, test and tour commands are there to check (a renamed fence would skip them all)."""
    assert len(commands()) >= 6


@pytest.mark.parametrize("line", commands())
def test_a_shell_line_is_a_plain_command(line: str) -> None:
    """No `a|b` alternatives, redirections or `;` that a shell would run as something else: only `&&` chains."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    assert [piece for piece in lexer if set(piece) <= set("|&;<>()") and piece != "&&"] == [], line


@pytest.mark.parametrize("line", [line for line in commands() if line.startswith("relpolicy ")])
def test_a_relpolicy_line_parses(line: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Every `relpolicy` command of the README is accepted by the CLI's own parser (nothing is run)."""
    argv = shlex.split(line)[1:]
    parser, commands_ = _parser()
    for name, (module_name, help_text) in _COMMANDS.items():
        sub = commands_.add_parser(name, help=help_text)
        if name == argv[0]:
            __import__(module_name, fromlist=["configure"]).configure(sub)
    try:
        parser.parse_args(argv)
    except SystemExit:
        pytest.fail(f"{line}: {capsys.readouterr().err.strip()}")


def test_the_test_command_needs_no_system_pip_and_is_what_ci_runs() -> None:
    """PEP 668 Pythons (Debian, Ubuntu) refuse `python3 -m pip install`: the README installs into a venv, as .ci/run."""
    (test_command,) = [line for line in commands() if "nox" in line]
    assert "python3 -m pip" not in test_command
    assert test_command.startswith("python3 -m venv .venv && .venv/bin/pip install ")
    assert test_command in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
