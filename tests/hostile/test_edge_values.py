"""Values at the edges of their types: a located RP103 (or a one-line usage error), never an internal error.

Before the bounds, dates at year 1 or 9999, durations of a billion days, an RRULE INTERVAL of 20
digits, integers of thousands of digits and very long keys ended the whole run with "internal
error" (exit 2), and no other file was reported.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from tests.hostile._trees import (
    SERVICE,
    SIBLING_FINDING,
    TIME_LIMIT,
    recurring,
    run_check,
    run_cli,
    window,
    write_tree,
)

from relpolicy.model.types import DATE_PATTERN, MAX_YEAR, MIN_YEAR, Date

OUTSIDE = "is outside the years relpolicy handles, 1970 to 2199"
_DATES: TypeAdapter[dt.date] = TypeAdapter(Date)


def _freeze(start: str, end: str) -> str:
    return (
        "apiVersion: relpolicy.dev/v1\nkind: ChangeFreeze\nmetadata: {name: bad}\nspec:\n"
        f"  reason: Year end.\n  start: {start}\n  end: {end}\n"
    )


def _restore_tested(day: str) -> str:
    return SERVICE.replace("  owner: web\n", f"  owner: web\n  recovery: {{rto: 1h, lastRestoreTest: {day}}}\n", 1)


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1969-12-31T23:00:00-05:00"])
def test_a_window_at_the_ends_of_the_calendar(instant: str, tmp_path: Path) -> None:
    """A single window at year 1 or 9999 (or before 1970) is RP103 at its `at`."""
    checked = run_check(tmp_path, window(f"  at: {instant}\n"))
    assert ("bad.yaml", 6, 7, "RP103", f"`{instant}` {OUTSIDE}") in checked.found
    assert SIBLING_FINDING in checked.found
    assert checked.seconds < TIME_LIMIT


def test_a_freeze_at_the_ends_of_the_calendar(tmp_path: Path) -> None:
    """Both ends of a freeze are checked, each located."""
    checked = run_check(tmp_path, _freeze("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"))
    assert ("bad.yaml", 6, 10, "RP103", f"`0001-01-01T00:00:00Z` {OUTSIDE}") in checked.found
    assert ("bad.yaml", 7, 8, "RP103", f"`9999-12-31T23:59:59Z` {OUTSIDE}") in checked.found
    assert SIBLING_FINDING in checked.found


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_restore_test_at_the_ends_of_the_calendar(day: str, tmp_path: Path) -> None:
    """`lastRestoreTest` at year 1 or 9999 is RP103 in check, and `render runbooks` no longer crashes on it."""
    checked = run_check(tmp_path, _restore_tested(day), name="service.yaml")
    assert ("service.yaml", 8, 40, "RP103", f"`{day}` {OUTSIDE}") in checked.found
    assert SIBLING_FINDING in checked.found
    write_tree(tmp_path, _restore_tested(day), name="service.yaml")
    ran = run_cli("render", "runbooks", "policies", "--as-of", "2026-11-26", "--out", "out", cwd=tmp_path)
    assert ran.code == 0
    assert "internal error" not in ran.err
    assert ran.seconds < TIME_LIMIT


def test_holiday_dates_at_the_ends_of_the_calendar(tmp_path: Path) -> None:
    """A calendar's extra holiday at year 9999 is RP103 at that date."""
    calendar = (
        "apiVersion: relpolicy.dev/v1\nkind: Calendar\nmetadata: {name: bad}\nspec:\n"
        "  timezone: Europe/London\n  hours: {mon: 09:00-17:00}\n  holidays:\n    dates: [2026-12-25, 9999-12-31]\n"
    )
    checked = run_check(tmp_path, calendar)
    assert ("bad.yaml", 8, 25, "RP103", f"`9999-12-31` {OUTSIDE}") in checked.found


@pytest.mark.parametrize(
    ("duration", "shown"),
    [
        ("1000000000d", "1000000000d"),
        ("36601d", "36601d"),
        ("9" * 5000 + "d", "99999999999999999999...9999999d (5,001 characters)"),
        ("0" * 30 + "1h", None),  # leading zeros: one hour, and valid
    ],
)
def test_durations_longer_than_a_century(duration: str, shown: str | None, tmp_path: Path) -> None:
    """A billion days, or more digits than Python reads by default, is RP103 with the value shortened."""
    checked = run_check(tmp_path, window("  at: 2026-12-01T02:00:00Z\n", duration=duration))
    bad = {f for f in checked.found if f[0] == "bad.yaml"}
    if shown is None:
        assert not {f for f in bad if f[3] == "RP103"}
    else:
        assert bad == {("bad.yaml", 7, 13, "RP103", f"`{shown}` is longer than 100 years: is it a typo?")}
    assert SIBLING_FINDING in checked.found
    assert checked.seconds < TIME_LIMIT


def test_a_latency_threshold_of_thousands_of_digits(tmp_path: Path) -> None:
    """A latency SLO's threshold is a duration too: shortened, refused, located."""
    slo = (
        "apiVersion: relpolicy.dev/v1\nkind: SLO\nmetadata: {name: bad}\nspec:\n  service: x\n"
        f"  indicator: {{type: latency, threshold: {'9' * 4500}ms}}\n  objective: 99.9\n"
    )
    checked = run_check(tmp_path, slo)
    message = "`99999999999999999999...999999ms (4,502 characters)` is longer than 100 years: is it a typo?"
    assert [f for f in checked.found if f[0] == "bad.yaml" and f[3] == "RP103"] == [
        ("bad.yaml", 6, 41, "RP103", message)
    ]


def test_a_rolling_slo_window_of_twenty_digits(tmp_path: Path) -> None:
    """An SLO window is at most 9999 days or 999 weeks (it was read into a timedelta that overflowed)."""
    slo = (
        "apiVersion: relpolicy.dev/v1\nkind: SLO\nmetadata: {name: bad}\nspec:\n  service: x\n"
        "  indicator: {type: availability}\n  objective: 99.9\n  timeWindow: 99999999999999999999d\n"
    )
    checked = run_check(tmp_path, slo)
    message = (
        "`99999999999999999999d` is not a time window: a rolling number of days or weeks (30d, 4w; at most 9999d "
        "or 999w), or a calendar `month`, `quarter` or `year`"
    )
    assert ("bad.yaml", 8, 15, "RP103", message) in checked.found


@pytest.mark.parametrize(
    ("rrule", "message"),
    [
        (
            "FREQ=WEEKLY;INTERVAL=99999999999999999999",
            "`FREQ=WEEKLY;INTERVAL=99999999999999999999`: INTERVAL must be a whole number from 1 to 1000",
        ),
        ("FREQ=DAILY;COUNT=1001", "`FREQ=DAILY;COUNT=1001`: COUNT must be a whole number from 1 to 1000"),
        ("FREQ=WEEKLY;INTERVAL=" + "9" * 5000, "the recurrence rule is 5021 characters long; at most 256"),
    ],
)
def test_recurrence_numbers_out_of_range(rrule: str, message: str, tmp_path: Path) -> None:
    """An INTERVAL of 20 digits (an OverflowError before), a COUNT past the cap, a rule of thousands of digits."""
    checked = run_check(tmp_path, recurring(rrule))
    assert ("bad.yaml", 6, 10, "RP103", message) in checked.found
    assert SIBLING_FINDING in checked.found
    assert checked.seconds < TIME_LIMIT


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        (
            4000,
            (
                "bad.yaml",
                5,
                11,
                "RP103",
                "99999999999999999999...99999999 (4,000 characters) is more than 1,000,000: is it a typo?",
            ),
        ),
        (1_000_001, None),
    ],
)
def test_counts_of_thousands_of_digits(
    digits: int, expected: tuple[str, int, int, str, str] | None, tmp_path: Path
) -> None:
    """A count is at most 1,000,000; past Python's 4,300-digit limit the parser reports it (RP101)."""
    value = "9" * 4000 if digits == 4000 else "1000001"
    policy = (
        "apiVersion: relpolicy.dev/v1\nkind: EscalationPolicy\nmetadata: {name: bad}\nspec:\n"
        f"  repeat: {value}\n  steps:\n    - {{after: 0m, notify: [{{person: ana@example.com}}]}}\n"
    )
    checked = run_check(tmp_path, policy)
    found = {f for f in checked.found if f[0] == "bad.yaml"}
    if expected is None:
        expected = ("bad.yaml", 5, 11, "RP103", "1000001 is more than 1,000,000: is it a typo?")
    assert expected in found
    assert SIBLING_FINDING in checked.found


def test_an_integer_past_pythons_digit_limit(tmp_path: Path) -> None:
    """5,000 digits cannot even be read as an int (ValueError in int()): a located RP101, not a crash."""
    checked = run_check(tmp_path, SERVICE.replace("  tier: 3\n", f"  tier: {'9' * 5000}\n", 1), name="service.yaml")
    assert [f[:4] for f in checked.found if f[0] == "service.yaml"] == [("service.yaml", 6, 9, "RP101")]
    assert SIBLING_FINDING in checked.found


def test_a_very_long_key(tmp_path: Path) -> None:
    """A 200,000-character key is a YAML error (implicit keys stop at 1024 characters), located at its line."""
    policy = SERVICE.replace("  tier: 3\n", "  tier: 3\n  " + "k" * 200_000 + ": 1\n", 1)
    checked = run_check(tmp_path, policy, name="service.yaml")
    assert [f[:4] for f in checked.found if f[0] == "service.yaml"] == [("service.yaml", 7, 200_003, "RP101")]
    assert SIBLING_FINDING in checked.found
    assert checked.seconds < TIME_LIMIT


# --- Dates given on the command line and in the configuration ---------------------------------


@pytest.mark.parametrize("command", [["check", "policies"], ["render", "runbooks", "policies", "--out", "out"]])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2200-01-01"])
def test_as_of_at_the_ends_of_the_calendar(command: list[str], day: str, tmp_path: Path) -> None:
    """`--as-of` outside 1970..2199 is a usage error: exit 2, the error on its own last line."""
    write_tree(tmp_path, recurring("FREQ=WEEKLY;BYDAY=SU"))
    ran = run_cli(*command, "--as-of", day, cwd=tmp_path)
    assert (ran.code, ran.out) == (2, "")
    name = " ".join(command[:-3] if command[0] == "render" else command[:1])
    assert ran.err.splitlines()[-1] == f"relpolicy {name}: error: argument --as-of: '{day}' {OUTSIDE}"
    assert "Traceback" not in ran.err


@pytest.mark.parametrize(
    ("file", "text", "error"),
    [
        ("relpolicy.yaml", "asOf: 9999-12-31\n", "relpolicy.yaml:1:7: `asOf`: `9999-12-31`"),
        ("relpolicy.yaml", "asOf: '0001-01-01'\n", "relpolicy.yaml:1:7: `asOf`: `0001-01-01`"),
        (
            "pyproject.toml",
            "[tool.relpolicy]\nasOf = 9999-12-31\n",
            "pyproject.toml [tool.relpolicy]: `asOf`: `9999-12-31`",
        ),
    ],
)
def test_as_of_in_the_configuration(file: str, text: str, error: str, tmp_path: Path) -> None:
    """`asOf` in relpolicy.yaml or pyproject.toml (a TOML date) outside the years is one located line, exit 2."""
    write_tree(tmp_path, recurring("FREQ=WEEKLY;BYDAY=SU"))
    (tmp_path / file).write_text(text, encoding="utf-8")
    ran = run_cli("check", "policies", cwd=tmp_path)
    assert (ran.code, ran.out, ran.err) == (2, "", f"relpolicy: error: {tmp_path / error} {OUTSIDE}\n")


def test_a_pyproject_that_is_not_utf8(tmp_path: Path) -> None:
    """A non-UTF-8 pyproject.toml is one line naming the file (exit 2), not an internal error."""
    write_tree(tmp_path, recurring("FREQ=WEEKLY;BYDAY=SU"))
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.relpolicy]\nfailOn = "warning"\n# caf\xe9 \xff\n')
    ran = run_cli("check", "policies", "--as-of", "2026-11-26", cwd=tmp_path)
    assert (ran.code, ran.out) == (2, "")
    assert len(ran.err.splitlines()) == 1
    assert ran.err.startswith(f"relpolicy: error: {tmp_path / 'pyproject.toml'}: ")
    assert "internal error" not in ran.err


@pytest.mark.parametrize("opened", ["0001-01-01T00:00Z", "9999-12-31T23:59Z", "1969-12-31T23:59-05:00"])
def test_deadline_opened_at_the_ends_of_the_calendar(opened: str, tmp_path: Path) -> None:
    """`deadline --opened` outside the years is a usage error on one line (deadlines near 9999 overflowed)."""
    ran = run_cli("deadline", "--priority", "P1", "--opened", opened, cwd=tmp_path)
    assert (ran.code, ran.out) == (2, "")
    assert ran.err.splitlines()[-1] == f"relpolicy deadline: error: argument --opened: '{opened}' {OUTSIDE}"


@given(year=st.integers(1, 9999), month=st.integers(1, 12), day=st.integers(1, 28))
def test_the_schema_and_the_model_agree_on_the_years(year: int, month: int, day: int) -> None:
    """The JSON Schema's date pattern and the model accept the same years, at every year from 1 to 9999."""
    text = f"{year:04d}-{month:02d}-{day:02d}"
    in_years = MIN_YEAR <= year <= MAX_YEAR
    assert bool(re.search(DATE_PATTERN, text)) == in_years
    try:
        _DATES.validate_python(text)
    except ValidationError:
        assert not in_years
    else:
        assert in_years  # and each leaves room for a year's horizon and a century's duration:
        assert dt.date(year, month, day) + dt.timedelta(days=366 + 100 * 366) <= dt.date.max
