"""`relpolicy deadline`: text and JSON output, level picked by the rules, and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import REPO

from relpolicy.cli import main

POLICY = """\
apiVersion: relpolicy.dev/v1
kind: Calendar
metadata: {name: us-business}
spec:
  timezone: America/New_York
  hours:
    mon: ["09:00-17:00"]
    tue: ["09:00-17:00"]
    wed: ["09:00-17:00"]
    thu: ["09:00-17:00"]
    fri: ["09:00-17:00"]
  holidays: {country: US, subdivision: NY}
---
apiVersion: relpolicy.dev/v1
kind: PriorityPolicy
metadata: {name: default}
spec:
  levels:
    - {name: P1, description: revenue or safety critical, response: 15m, restore: 4h, clock: always,
       statusUpdateEvery: 30m}
    - {name: P2, description: major team workflow down, response: 1h, restore: 8h, clock: us-business,
       statusUpdateEvery: 1h}
    - {name: P3, description: single user or device, response: 4h, restore: 2d, clock: us-business}
    - {name: P4, description: low urgency request, response: 1d, restore: scheduled, clock: us-business}
  rules:
    - when: {tier: [1], impact: [outage]}
      level: P1
    - when: {tier: [2], impact: [outage]}
      level: P2
  default: P3
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: erp}
spec: {description: Finance., tier: 2}
"""


@pytest.fixture
def policies(write_policy: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """The reference priority table on a New York calendar, the working directory beside it."""
    root = write_policy(POLICY)
    monkeypatch.chdir(root.parent)
    return root


def test_text_output(policies: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's example: P2 opened the Friday after Thanksgiving at 16:30 New York time."""
    code = main(["deadline", "--priority", "P2", "--opened", "2026-11-27T16:30-05:00"])
    assert (code, *capsys.readouterr()) == (
        0,
        "P2 major team workflow down (priority policy default)\n"
        "opened      Fri 2026-11-27 16:30 -05:00 (2026-11-27 21:30 UTC)\n"
        "clock       us-business (America/New_York), starts Fri 2026-11-27 16:30 EST (2026-11-27 21:30 UTC)\n"
        "response    1h  due Mon 2026-11-30 09:30 EST (2026-11-30 14:30 UTC)\n"
        "restore     8h  due Mon 2026-11-30 16:30 EST (2026-11-30 21:30 UTC)\n"
        "updates     every 1h\n"
        "skipped     Sat 2026-11-28: no working hours on Saturdays\n"
        "            Sun 2026-11-29: no working hours on Sundays\n",
        "",
    )


def test_json_output_with_the_level_picked_by_the_rules(policies: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--service and --impact pick the level through the priority rules; JSON is for scripts."""
    code = main(
        [
            "deadline",
            "--service",
            "erp",
            "--impact",
            "degraded",
            "--opened",
            "2026-11-25T14:00-05:00",
            "--format",
            "json",
        ]
    )
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "schemaVersion": 1,
        "priorityPolicy": "default",
        "level": "P3",
        "description": "single user or device",
        "pickedBy": {"service": "erp", "tier": 2, "impact": "degraded", "rule": None},
        "opened": "2026-11-25T14:00:00-05:00",
        "openedUtc": "2026-11-25T19:00:00Z",
        "clock": {
            "calendar": "us-business",
            "timezone": "America/New_York",
            "starts": "2026-11-25T14:00:00-05:00",
            "startsUtc": "2026-11-25T19:00:00Z",
        },
        "response": {"target": "4h", "due": "2026-11-27T10:00:00-05:00", "dueUtc": "2026-11-27T15:00:00Z"},
        "restore": {"target": "2d", "due": "2026-11-30T14:00:00-05:00", "dueUtc": "2026-11-30T19:00:00Z"},
        "statusUpdateEvery": None,
        "skipped": [
            {"date": "2026-11-26", "reason": "Thanksgiving Day"},
            {"date": "2026-11-28", "reason": "no working hours on Saturdays"},
            {"date": "2026-11-29", "reason": "no working hours on Sundays"},
        ],
    }


def test_around_the_clock_and_scheduled(policies: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 24x7 level shows UTC once; a scheduled restore says so."""
    assert main(["deadline", "--service", "erp", "--impact", "outage", "--opened", "2026-11-27T23:00Z"]) == 0
    assert capsys.readouterr().out.splitlines()[:5] == [
        "P2 major team workflow down (priority policy default; picked for erp (tier 2) at impact outage by rules[1])",
        "opened      Fri 2026-11-27 23:00 UTC",
        "clock       us-business (America/New_York), starts Mon 2026-11-30 09:00 EST (2026-11-30 14:00 UTC)",
        "response    1h  due Mon 2026-11-30 10:00 EST (2026-11-30 15:00 UTC)",
        "restore     8h  due Mon 2026-11-30 17:00 EST (2026-11-30 22:00 UTC)",
    ]
    assert main(["deadline", "--priority", "P1", "--opened", "2026-11-27T23:00Z"]) == 0
    assert capsys.readouterr().out.splitlines()[2:5] == [
        "clock       always (UTC), starts Fri 2026-11-27 23:00 UTC",
        "response    15m  due Fri 2026-11-27 23:15 UTC",
        "restore     4h   due Sat 2026-11-28 03:00 UTC",
    ]
    assert main(["deadline", "--priority", "P4", "--opened", "2026-11-27T23:00Z"]) == 0
    assert capsys.readouterr().out.splitlines()[3:6] == [
        "response    1d         due Mon 2026-11-30 17:00 EST (2026-11-30 22:00 UTC)",
        "restore     scheduled  scheduled case by case",
        "updates     no status-update cadence set",
    ]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--priority", "P9"], "priority policy `default` has no level `P9`; its levels: P1, P2, P3, P4"),
        (["--service", "erpp", "--impact", "outage"], "no service `erpp`, did you mean `erp`?"),
        (["--service", "erp"], "--service and --impact go together"),
        ([], "give either --priority LEVEL, or --service NAME with --impact"),
        (["--priority", "P2", "--policy", "other"], "no priority policy `other`; known: default"),
    ],
)
def test_errors_are_one_line(policies: Path, capsys: pytest.CaptureFixture[str], args: list[str], error: str) -> None:
    """Bad requests exit 2 with one line on stderr."""
    assert (main(["deadline", *args, "--opened", "2026-11-27T16:30-05:00"]), *capsys.readouterr()) == (
        2,
        "",
        f"relpolicy: error: {error}\n",
    )


def test_an_opening_needs_an_offset(policies: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A naive time is refused by the option parser, with the fix."""
    assert main(["deadline", "--priority", "P2", "--opened", "2026-11-27T16:30"]) == 2
    assert capsys.readouterr().err.endswith(
        "argument --opened: '2026-11-27T16:30' has no UTC offset: add one, "
        "e.g. 2026-11-27T16:30-05:00 or 2026-11-27T16:30Z\n"
    )


USAGE = """\
usage: relpolicy deadline [-h] [--priority LEVEL] [--service NAME]
                          [--impact {outage,degraded,single-user,request}]
                          [--policy NAME] [--opened DATETIME]
                          [--format {text,json}]
                          [PATH ...]
"""


@pytest.mark.parametrize(
    ("opened", "error"),
    [
        (
            "2026-11-25",
            "'2026-11-25' has no time of day: give one with a UTC offset, "
            "e.g. 2026-11-25T09:00-05:00 or 2026-11-25T09:00Z",
        ),
        (
            "2026-11-25Z",
            "'2026-11-25Z' has no time of day: give one with a UTC offset, "
            "e.g. 2026-11-25T09:00-05:00 or 2026-11-25T09:00Z",
        ),
        (
            "2026-11-25-05:00",
            "'2026-11-25-05:00' has no time of day: give one with a UTC offset, "
            "e.g. 2026-11-25T09:00-05:00 or 2026-11-25T09:00Z",
        ),
        (
            "2026-11-25T09:00",
            "'2026-11-25T09:00' has no UTC offset: add one, e.g. 2026-11-25T09:00-05:00 or 2026-11-25T09:00Z",
        ),
        (
            "2026-11-25 09:00:30",
            "'2026-11-25 09:00:30' has no UTC offset: add one, e.g. 2026-11-25 09:00:30-05:00 or 2026-11-25 09:00:30Z",
        ),
        ("yesterday", "not a date and time: 'yesterday' (expected e.g. 2026-11-27T16:30-05:00 or 2026-11-27T21:30Z)"),
        (
            "2026-13-01T09:00Z",
            "not a date and time: '2026-13-01T09:00Z' (expected e.g. 2026-11-27T16:30-05:00 or 2026-11-27T21:30Z)",
        ),
    ],
)
def test_every_form_an_error_suggests_is_accepted(
    policies: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, opened: str, error: str
) -> None:
    """A rejected --opened names forms that the option then takes (a date alone is not an instant)."""
    monkeypatch.setenv("COLUMNS", "80")  # the usage lines wrap at the terminal's width
    assert (main(["deadline", "--priority", "P2", "--opened", opened]), *capsys.readouterr()) == (
        2,
        "",
        f"{USAGE}relpolicy deadline: error: argument --opened: {error}\n",
    )
    suggested = error.rsplit("e.g. ", 1)[1].rstrip(")").split(" or ")
    assert len(suggested) == 2
    for form in suggested:
        assert (
            main(["deadline", "--priority", "P1", "--opened", form, "--format", "json"]),
            capsys.readouterr().err,
        ) == (0, "")


def test_text_output_shows_the_seconds_the_json_has(policies: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Opened at 16:59:30, the text says due 09:59:30 as the JSON does; whole minutes stay HH:MM."""
    opened = ["deadline", "--priority", "P2", "--opened", "2026-11-27T16:59:30-05:00"]
    assert (main(opened), *capsys.readouterr()) == (
        0,
        "P2 major team workflow down (priority policy default)\n"
        "opened      Fri 2026-11-27 16:59:30 -05:00 (2026-11-27 21:59:30 UTC)\n"
        "clock       us-business (America/New_York), starts Fri 2026-11-27 16:59:30 EST (2026-11-27 21:59:30 UTC)\n"
        "response    1h  due Mon 2026-11-30 09:59:30 EST (2026-11-30 14:59:30 UTC)\n"
        "restore     8h  due Mon 2026-11-30 16:59:30 EST (2026-11-30 21:59:30 UTC)\n"
        "updates     every 1h\n"
        "skipped     Sat 2026-11-28: no working hours on Saturdays\n"
        "            Sun 2026-11-29: no working hours on Sundays\n",
        "",
    )
    assert main([*opened, "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["response"]["due"], result["restore"]["dueUtc"]) == (
        "2026-11-30T09:59:30-05:00",
        "2026-11-30T21:59:30Z",
    )
    assert main(["deadline", "--priority", "P1", "--opened", "2026-11-27t23:00:00.25z"]) == 0
    assert capsys.readouterr().out.splitlines()[1:4] == [
        "opened      Fri 2026-11-27 23:00:00.250000 UTC",
        "clock       always (UTC), starts Fri 2026-11-27 23:00:00.250000 UTC",
        "response    15m  due Fri 2026-11-27 23:15:00.250000 UTC",
    ]


def test_a_missing_clock_and_a_calendar_without_hours(
    write_policy: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A level on an undefined calendar, or one with no working hours, is a one-line error."""
    root = write_policy(POLICY.replace("clock: always", "clock: nights").replace('["09:00-17:00"]', "[]"))
    monkeypatch.chdir(root.parent)
    assert main(["deadline", "--priority", "P1", "--opened", "2026-11-27T16:30-05:00"]) == 2
    assert capsys.readouterr().err == (
        "relpolicy: error: level P1 runs on calendar `nights`, which is not defined (or not valid)\n"
    )
    assert main(["deadline", "--priority", "P2", "--opened", "2026-11-27T16:30-05:00"]) == 2
    assert capsys.readouterr().err == (
        "relpolicy: error: level P2 on calendar `us-business`: calendar `us-business` has no working hours\n"
    )


def test_the_example_organisation_under_another_machine_zone() -> None:
    """The console script on policies/, under TZ=Pacific/Chatham: the machine's zone changes nothing."""
    env = {**os.environ, "TZ": "Pacific/Chatham"}
    command = [sys.executable, "-m", "relpolicy", "deadline", "--service", "erp", "--impact", "outage"]
    done = subprocess.run(
        [*command, "--opened", "2026-11-27T16:30-05:00", "--format", "json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    result = json.loads(done.stdout)
    assert (result["level"], result["response"]["dueUtc"], result["restore"]["dueUtc"]) == (
        "P2",
        "2026-11-30T14:30:00Z",
        "2026-11-30T21:30:00Z",
    )


def test_choosing_among_priority_policies(
    write_policy: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With two priority policies --priority needs --policy; a service without one needs it too."""
    second = POLICY.split("---\n")[1].replace("name: default", "name: stores")
    root = write_policy(POLICY + "---\n" + second)
    monkeypatch.chdir(root.parent)
    opened = ["--opened", "2026-11-27T16:30-05:00"]
    assert main(["deadline", "--priority", "P2", *opened]) == 2
    assert capsys.readouterr().err == (
        "relpolicy: error: there are 2 priority policies (default, stores): choose one with --policy\n"
    )
    assert main(["deadline", "--service", "erp", "--impact", "outage", *opened]) == 2
    assert capsys.readouterr().err == (
        "relpolicy: error: service `erp` has no priority policy (set `priorityPolicy`, or pass --policy)\n"
    )
    assert main(["deadline", "--service", "erp", "--impact", "outage", "--policy", "stores", *opened]) == 0
    assert capsys.readouterr().out.startswith("P2 major team workflow down (priority policy stores; picked for erp")


def test_no_priority_policy_and_no_policies_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without policies there is nothing to take a level from; each case is one line."""
    monkeypatch.chdir(tmp_path)
    assert main(["deadline", "--priority", "P2"]) == 2
    assert capsys.readouterr().err == (
        "relpolicy: error: no paths given and no policies/ directory here; pass the files or directories to read\n"
    )
    (tmp_path / "empty").mkdir()
    assert main(["deadline", "empty", "--priority", "P2"]) == 2
    assert capsys.readouterr().err == "relpolicy: error: there is no priority policy to take the level from\n"
    assert main(["deadline", "empty", "--priority", "P2", "--opened", "yesterday"]) == 2
    assert capsys.readouterr().err.endswith(
        "argument --opened: not a date and time: 'yesterday' "
        "(expected e.g. 2026-11-27T16:30-05:00 or 2026-11-27T21:30Z)\n"
    )


def test_an_invalid_service_document_is_named(
    write_policy: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A service whose document does not validate is not 'unknown': the error says to run check."""
    root = write_policy(POLICY.replace("tier: 2", "tier: 9"))
    monkeypatch.chdir(root.parent)
    assert main(["deadline", "--service", "erp", "--impact", "outage", "--opened", "2026-11-27T16:30Z"]) == 2
    assert capsys.readouterr().err == (
        "relpolicy: error: no service `erp` (its document is not valid: run `relpolicy check`)\n"
    )
