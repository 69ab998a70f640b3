"""The public library API: every name in ``relpolicy.__all__`` resolves, and paths may be ``str`` or ``Path``."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import REPO
from tests.typing import api

import relpolicy

POLICIES = str(REPO / "policies")
OPENED = dt.datetime(2026, 11, 27, 16, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


def test_every_exported_name_resolves() -> None:
    """`from relpolicy import *` gives every name of __all__, each defined where it is documented."""
    namespace: dict[str, object] = {}
    exec("from relpolicy import *", namespace)  # noqa: S102 - the import a user would write
    assert sorted(set(namespace) - {"__builtins__"}) == sorted(relpolicy.__all__)
    assert set(relpolicy.__all__) <= set(dir(relpolicy))


def test_importing_the_package_imports_no_implementation() -> None:
    """`import relpolicy` stays light: the API's modules load on first use (only the version string comes with it)."""
    code = "import sys, relpolicy; print(sorted(m for m in sys.modules if m.startswith('relpolicy')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['relpolicy', 'relpolicy._version']"


def test_check_takes_a_str_a_path_or_several() -> None:
    """One str, one Path and a list of both give the same report (a str used to raise AttributeError)."""
    as_str = relpolicy.check(POLICIES, as_of=api.AS_OF)
    as_path = relpolicy.check(Path(POLICIES), as_of=api.AS_OF)
    as_list = relpolicy.check([POLICIES + "/teams", Path(POLICIES) / "services"], as_of=api.AS_OF)
    assert as_str.files == as_path.files > as_list.files > 0
    assert as_str.findings == as_path.findings
    assert (
        relpolicy.check(POLICIES, as_of=api.AS_OF, base=REPO).findings
        == relpolicy.check(Path(POLICIES), as_of=api.AS_OF, base=str(REPO)).findings
    )


def test_the_consumer_module_runs_against_the_examples() -> None:
    """tests/typing/api.py, which mypy checks as a user's code, also works on policies/."""
    assert api.errors(POLICIES) == []
    reports = api.every_report([POLICIES])
    assert json.loads(reports["json"])["summary"]["error"] == 0
    assert json.loads(reports["sarif"])["version"] == "2.1.0"
    assert reports["junit"].startswith("<?xml")
    pages, sla, graph = api.documents(POLICIES)
    assert "README.md" in pages
    assert sla.splitlines()[0].startswith("policy,level,")
    assert graph.startswith("digraph")
    down = api.outage(POLICIES, "orders-db")
    assert "orders-api" in down
    assert api.due(POLICIES, OPENED) > OPENED


def test_documents_match_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    """render_graph and render_sla give what `relpolicy graph` and `relpolicy render sla` print."""
    from relpolicy.cli import main

    policy = relpolicy.load_policy(POLICIES).policy
    assert main(["graph", POLICIES, "--format", "json"]) == 0
    assert capsys.readouterr().out == relpolicy.render_graph(policy, format="json")
    assert main(["render", "sla", POLICIES, "--format", "md"]) == 0
    assert capsys.readouterr().out == relpolicy.render_sla(policy)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: relpolicy.impact(p, "orders-dbb"), "no service `orders-dbb`"),
        (lambda p: relpolicy.render_graph(p, service="cdn", depth=-1), "depth -1 is negative"),
        (lambda p: relpolicy.deadline(p, opened=OPENED), "give either priority, or service with impact"),
        (lambda p: relpolicy.deadline(p, opened=OPENED, priority="P9"), "has no level `P9`"),
        (
            lambda p: relpolicy.deadline(p, opened=OPENED.replace(tzinfo=None), priority="P1"),
            "opened 2026-11-27T16:30:00 has no UTC offset",
        ),
    ],
)
def test_bad_requests_raise_relpolicy_errors(call: object, message: str) -> None:
    """A wrong name or argument is a RelpolicyError saying what is wrong, never another exception."""
    policy = relpolicy.load_policy(POLICIES).policy
    with pytest.raises(relpolicy.RelpolicyError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(policy)  # type: ignore[operator]


def test_deadline_picks_the_level_of_a_service_like_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    """With service and impact, the priority rules pick the level, as `relpolicy deadline --service` does."""
    from relpolicy.cli import main

    policy = relpolicy.load_policy(POLICIES).policy
    result = relpolicy.deadline(policy, opened=OPENED, service="orders-api", impact="outage")
    assert (
        main(
            [
                "deadline",
                POLICIES,
                "--service",
                "orders-api",
                "--impact",
                "outage",
                "--opened",
                OPENED.isoformat(),
                "--format",
                "json",
            ]
        )
        == 0
    )
    document = json.loads(capsys.readouterr().out)
    assert document["level"] == result.level.name
    assert dt.datetime.fromisoformat(document["response"]["due"]) == result.response.at
