"""``relpolicy export prometheus``: Sloth's rules for every measured SLO, with relpolicy's labels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from tests.export.conftest import CONFIG

from relpolicy.export.prometheus import (
    GOOGLE_WINDOWS,
    AlertWindow,
    alert_name,
    go_fixed,
    go_float,
    period_of,
    prom_duration,
)

Export = Callable[..., tuple[int, str, str]]
NOTE = (
    "policies/services/erp.yaml:62:15: note: SLO `erp-availability` has a calendar month: its rules use a "
    "rolling 30d (Prometheus ranges do not start at calendar boundaries)\n"
    "relpolicy: 10 SLO(s) exported; 21 have no `indicator.prometheus` measurement and no rules\n"
)

# -- golden files -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["rules", "prometheusrule"])
def test_export_of_the_example_policies(form: str, export: Export, golden: Callable[[str, str], None]) -> None:
    """The example organisation's measured SLOs, in both formats, byte for byte; the calendar window is noted."""
    code, out, err = export("prometheus", "policies", "--config", str(CONFIG), "--format", form)
    assert (code, err) == (0, NOTE)
    golden(f"policies.{form}.yaml", out)


def test_a_folder_gets_one_file_per_service(export: Export, tmp_path: Path) -> None:
    """--out DIR writes one file per service holding its SLOs' groups; --check then finds nothing stale."""
    out = tmp_path / "rules"
    code, _, err = export("prometheus", "policies", "--out", str(out))
    assert (code, err.splitlines()[-1]) == (0, "relpolicy: wrote 8 of 8 file(s)")
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        f"{s}.yaml" for s in ("auth", "cart", "checkout", "erp", "orders-db", "payments-api", "search", "storefront")
    ]
    checkout = yaml.safe_load((out / "checkout.yaml").read_text(encoding="utf-8"))
    assert [g["name"] for g in checkout["groups"]] == [
        "relpolicy-slo-checkout-availability",
        "relpolicy-slo-checkout-latency",
    ]
    assert export("prometheus", "policies", "--out", str(out), "--check")[0] == 0


def test_check_without_out_is_a_usage_error(export: Export) -> None:
    """--check compares with files, so it needs --out."""
    code, out, err = export("prometheus", "policies", "--check")
    assert (code, out, err.splitlines()[-1]) == (
        2,
        "",
        "relpolicy: error: --check needs --out DIR|FILE to compare with",
    )


# -- one SLO, by hand -------------------------------------------------------------------------------------

_TREE = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {{name: shop-team}}
spec:
  members: [{{name: Ana, email: ana@example.com}}]
  coverage: always
  escalationPolicy: shop-oncall
---
apiVersion: relpolicy.dev/v1
kind: EscalationPolicy
metadata: {{name: shop-oncall}}
spec:
  steps:
    - after: 0m
      notify: [{{team: shop-team}}]
---
apiVersion: relpolicy.dev/v1
kind: PriorityPolicy
metadata: {{name: default}}
spec:
  levels:
    - {{name: P1, description: down, response: 15m, restore: 4h}}
    - {{name: P2, description: slow, response: 1h, restore: 8h}}
  rules:
    - when: {{tier: [1], impact: [outage]}}
      level: P1
  default: P2
---
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {{name: shop}}
spec:
  description: The web shop.
  owner: shop-team
  tier: 1
---
apiVersion: relpolicy.dev/v1
kind: SLO
metadata: {{name: shop-availability}}
spec:
  service: shop
  indicator:
    type: availability
    prometheus:
      errorRatioQuery: 1 - avg_over_time(up{{job="shop"}}[{{{{.window}}}}])
  objective: 99.5
  timeWindow: {window}
"""


def _shop(tmp_path: Path, window: str = "28d") -> Path:
    path = tmp_path / "policies" / "shop.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_TREE.format(window=window), encoding="utf-8")
    return path.parent


def _rules(text: str) -> list[dict[str, object]]:
    rules: list[dict[str, object]] = yaml.safe_load(text)["groups"][0]["rules"]
    return rules


def test_one_slo_is_one_group_with_sloth_rules_and_relpolicy_labels(export: Export, tmp_path: Path) -> None:
    """A 28-day SLO: Sloth's 4w rule name and factors (13.44, 5.6, 2.8, 0.93), priority, team and escalation."""
    code, out, err = export("prometheus", str(_shop(tmp_path)))
    assert (code, err) == (0, "")
    rules = _rules(out)
    assert [r.get("record", r.get("alert")) for r in rules] == [
        *(f"slo:sli_error:ratio_rate{w}" for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d", "4w")),
        "slo:objective:ratio", "slo:error_budget:ratio", "slo:time_period:days", "slo:current_burn_rate:ratio",
        "slo:period_burn_rate:ratio", "slo:period_error_budget_remaining:ratio", "sloth_slo_info",
        "ShopAvailabilityErrorBudgetBurn", "ShopAvailabilityErrorBudgetBurn",
    ]  # fmt: skip
    page, ticket = rules[-2], rules[-1]
    assert page["labels"] == {
        "escalation_policy": "shop-oncall", "priority": "P1", "severity": "page", "sloth_severity": "page",
        "team": "shop-team",
    }  # fmt: skip
    assert ticket["labels"] == {
        "escalation_policy": "shop-oncall", "priority": "P2", "severity": "ticket", "sloth_severity": "ticket",
        "team": "shop-team",
    }  # fmt: skip
    assert "(13.44 * 0.005)" in str(page["expr"])
    assert "(5.6000000000000005 * 0.005)" in str(page["expr"])
    assert "(2.8000000000000003 * 0.005)" in str(ticket["expr"])
    assert "(0.9333333333333333 * 0.005)" in str(ticket["expr"])
    assert page["annotations"] == {
        "description": "The error ratio of shop-availability is above 13.44x its budget (0.5% errors) over both "
        "1 hour and 5 minutes, or above 5.6x over both 6 hours and 30 minutes. At 13.44x the budget of 28 days "
        "is gone in 2d2h. Priority P1 (a tier 1 service down); owned by shop-team.",
        "summary": "shop: shop-availability is spending its error budget too fast (objective 99.5% over a rolling "
        "28 days).",
        "title": "(page) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.",
    }
    assert rules[7]["expr"] == (
        'sum_over_time(slo:sli_error:ratio_rate5m{sloth_id="shop-shop-availability", sloth_service="shop", '
        'sloth_slo="shop-availability"}[4w])\n/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m'
        '{sloth_id="shop-shop-availability", sloth_service="shop", sloth_slo="shop-availability"}[4w])\n'
    )
    assert rules[0]["expr"] == '(1 - avg_over_time(up{job="shop"}[5m]))'
    assert rules[10]["expr"] == "vector(28)"
    assert rules[14]["labels"] == {
        "sloth_id": "shop-shop-availability", "sloth_mode": "relpolicy", "sloth_objective": "99.5",
        "sloth_service": "shop", "sloth_slo": "shop-availability", "sloth_spec": "relpolicy.dev/v1", "tier": "1",
    }  # fmt: skip


def test_a_window_no_longer_than_the_alert_windows_is_refused_at_its_location(export: Export, tmp_path: Path) -> None:
    """A 3-day SLO cannot have a 3-day alert window: one located line, exit 1, and no group for it."""
    code, out, err = export("prometheus", str(_shop(tmp_path, "3d")))
    assert code == 1
    assert err == (
        f"{tmp_path / 'policies' / 'shop.yaml'}:47:15: error: SLO `shop-availability` has a 3d window: burn-rate "
        "alerts need a period longer than their longest window (3 days); not exported\n"
    )
    assert yaml.safe_load(out) == {"groups": []}


# -- the numbers, by hand and as properties ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "factors"),
    [
        ("30d", [14.4, 6.0, 3.0, 1.0]),
        ("28d", [13.44, 5.6000000000000005, 2.8000000000000003, 0.9333333333333333]),  # Sloth's alert_test.go
        ("month", [14.4, 6.0, 3.0, 1.0]),
        ("quarter", [43.2, 18.0, 9.0, 3.0]),
    ],
)
def test_burn_rate_factors_scale_with_the_period_as_sloth_computes_them(period: str, factors: list[float]) -> None:
    """factor = share of budget x period / long window: 2 % in 1 h of 30 days is 14.4x."""
    pairs = (
        GOOGLE_WINDOWS.page_quick,
        GOOGLE_WINDOWS.page_slow,
        GOOGLE_WINDOWS.ticket_quick,
        GOOGLE_WINDOWS.ticket_slow,
    )
    assert [pair.burn_rate_factor(period_of(period)) for pair in pairs] == factors


@given(days=st.integers(4, 9999), share=st.sampled_from([2.0, 5.0, 10.0]), hours=st.sampled_from([1, 6, 24, 72]))
def test_a_burn_at_the_factor_spends_the_share_within_the_long_window(days: int, share: float, hours: int) -> None:
    """Burning at the factor for the long window spends exactly the window's share of the period's budget."""
    window = AlertWindow(share, dt.timedelta(minutes=5), dt.timedelta(hours=hours))
    spent = window.burn_rate_factor(dt.timedelta(days=days)) * hours / (days * 24)
    assert spent == pytest.approx(share / 100, rel=1e-12)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.9990000000000001, "0.9990000000000001"), ((100 - 99.9) / 100, "0.0009999999999999432"), (14.4, "14.4"),
        (6.0, "6"), (30.0, "30"), (0.05, "0.05"), (1e-05, "1e-05"), (0.0001, "0.0001"), (123456.0, "123456"),
        (1234567.0, "1.234567e+06"), (0.0, "0"), (-2.5, "-2.5"), (0.9333333333333333, "0.9333333333333333"),
    ],
)  # fmt: skip
def test_floats_are_written_as_go_writes_them(value: float, text: str) -> None:
    """Go's shortest %g: an exponent below 1e-4 and from 1e6 (Sloth's vector(...) and factors)."""
    assert go_float(value) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_go_floats_read_back_as_the_same_float(value: float) -> None:
    """Shortest digits: whatever the notation, the text reads back as the very float."""
    assert float(go_float(value)) == value


@pytest.mark.parametrize(("value", "text"), [(99.9, "99.9"), (95.0, "95"), (99.95, "99.95"), (1e-7, "0.0000001")])
def test_objectives_are_written_in_fixed_notation(value: float, text: str) -> None:
    """sloth_objective: Go's FormatFloat 'f' with the shortest digits."""
    assert go_fixed(value) == text


@pytest.mark.parametrize(
    ("days", "text"),
    [(dt.timedelta(minutes=5), "5m"), (dt.timedelta(days=1), "1d"), (dt.timedelta(days=3), "3d"),
     (dt.timedelta(days=7), "1w"), (dt.timedelta(days=28), "4w"), (dt.timedelta(days=30), "30d"),
     (dt.timedelta(days=90), "90d"), (dt.timedelta(days=365), "1y"), (dt.timedelta(hours=25), "1d1h"),
     (dt.timedelta(0), "0s")],
)  # fmt: skip
def test_durations_are_written_as_prometheus_writes_them(days: dt.timedelta, text: str) -> None:
    """Weeks and years only when exact: 28d is 4w (so Sloth's 28-day rule is ratio_rate4w)."""
    assert prom_duration(days) == text


@pytest.mark.parametrize(
    ("name", "alert"),
    [("checkout-availability", "CheckoutAvailabilityErrorBudgetBurn"), ("2fa-login", "Slo2faLoginErrorBudgetBurn")],
)
def test_alert_names_are_the_slo_name_in_camel_case(name: str, alert: str) -> None:
    """A name that would start with a digit gets a prefix."""
    assert alert_name(name) == alert
