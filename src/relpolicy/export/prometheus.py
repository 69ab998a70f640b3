"""SLOs as Prometheus rules: the recording and alert rules Sloth generates, with relpolicy's labels added.

For every SLO whose indicator says how it is measured (``indicator.prometheus``), one rule group
``relpolicy-slo-<slo>`` holds, in this order (docs/alerting.md has the details):

- the SLI recording rules ``slo:sli_error:ratio_rate<window>`` for the alert windows 5m, 30m, 1h,
  2h, 6h, 1d, 3d (from the queries) and for the SLO's period (averaged from the 5m rule, as Sloth's
  optimised rule does);
- the metadata rules ``slo:objective:ratio``, ``slo:error_budget:ratio``, ``slo:time_period:days``,
  ``slo:current_burn_rate:ratio``, ``slo:period_burn_rate:ratio``,
  ``slo:period_error_budget_remaining:ratio`` and the info series ``sloth_slo_info``;
- a page and a ticket alert, each a multi-window multi-burn-rate expression.

Expressions, rule names and the ``sloth_*`` labels are Sloth's, character for character, so
Sloth's dashboards read the series; :func:`sloth_rules` is that part alone, and the differential
test compares it with Sloth's published output. Sloth writes three groups per SLO; relpolicy
writes one, so that the alerts read recording rules of the same evaluation.

Burn-rate factors follow Sloth's rule: a window pair alerts when it would spend a share of the
period's error budget (2 %, 5 %, 10 %, 10 %) within its long window, so
``factor = share x period / long window`` (14.4, 6, 3 and 1 for 30 days).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

import yaml

from relpolicy.findings import Note
from relpolicy.model.service import Service
from relpolicy.model.slo import SLO
from relpolicy.model.slo import Prometheus as Measurement
from relpolicy.model.types import format_duration
from relpolicy.policy import PolicySet

SLI_ERROR_METRIC: Final = "slo:sli_error:ratio_rate"
ID_LABEL: Final = "sloth_id"
SERVICE_LABEL: Final = "sloth_service"
SLO_LABEL: Final = "sloth_slo"
WINDOW_LABEL: Final = "sloth_window"
SEVERITY_LABEL: Final = "sloth_severity"
WINDOW_PLACEHOLDER: Final = re.compile(r"\{\{ *\.window *\}\}")

Rule = dict[str, Any]
"""One Prometheus rule as it is written: ``record`` or ``alert``, ``expr``, ``labels``, ``annotations``."""


@dataclass(frozen=True, slots=True)
class AlertWindow:
    """One window pair of a multi-window alert, as Sloth's ``AlertWindows`` spec gives it."""

    error_budget_percent: float
    """The share of the period's error budget that, spent within ``long``, should alert."""
    short: dt.timedelta
    long: dt.timedelta

    def burn_rate_factor(self, period: dt.timedelta) -> float:
        """How many times faster than the budget allows: Sloth's ``getBurnRateFactor``, in its order of operations."""
        hours_required = self.error_budget_percent * (period / dt.timedelta(hours=1)) / 100
        return hours_required / (self.long / dt.timedelta(hours=1))


@dataclass(frozen=True, slots=True)
class AlertWindows:
    """The four window pairs of an SLO's alerts: page quick and slow, ticket quick and slow."""

    page_quick: AlertWindow
    page_slow: AlertWindow
    ticket_quick: AlertWindow
    ticket_slow: AlertWindow

    def durations(self) -> list[dt.timedelta]:
        """Every window once, shortest first (the SLI rules' order)."""
        pairs = (self.page_quick, self.page_slow, self.ticket_quick, self.ticket_slow)
        return sorted({window for pair in pairs for window in (pair.short, pair.long)})


_M: Final = dt.timedelta(minutes=1)
_H: Final = dt.timedelta(hours=1)
GOOGLE_WINDOWS: Final = AlertWindows(
    page_quick=AlertWindow(2, 5 * _M, _H),
    page_slow=AlertWindow(5, 30 * _M, 6 * _H),
    ticket_quick=AlertWindow(10, 2 * _H, 24 * _H),
    ticket_slow=AlertWindow(10, 6 * _H, 72 * _H),
)
"""Sloth's default windows (its ``google-30d`` and ``google-28d`` catalogue, from Google's SRE workbook)."""
LONGEST_WINDOW: Final = max(GOOGLE_WINDOWS.durations())

CALENDAR_PERIODS: Final = {
    "month": dt.timedelta(days=30),
    "quarter": dt.timedelta(days=90),
    "year": dt.timedelta(days=365),
}
"""The rolling period a calendar window is alerted on (a range vector cannot start at the 1st of a month)."""


# -- Go's formatting, as Sloth's output has it ------------------------------------------------------


def go_float(value: float) -> str:
    """``value`` as Go's ``%g``/``%v`` writes a float64: shortest digits, exponent below 1e-4 or from 1e6."""
    sign, digits, exponent = Decimal(repr(float(value))).as_tuple()
    assert isinstance(exponent, int)  # noqa: S101 - a finite float
    numerals = list(digits)
    while len(numerals) > 1 and numerals[-1] == 0:
        numerals.pop()
        exponent += 1
    text = "".join(map(str, numerals))
    minus = "-" if sign else ""
    if text == "0":
        return minus + "0"
    point = len(text) + exponent
    power = point - 1
    if power < -4 or power >= 6:  # Go's rule for the shortest %g
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{minus}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{text}"
    if point >= len(text):
        return minus + text + "0" * (point - len(text))
    return f"{minus}{text[:point]}.{text[point:]}"


def go_fixed(value: float) -> str:
    """``value`` as Go's ``strconv.FormatFloat(v, 'f', -1, 64)``: shortest digits, never an exponent."""
    return format(Decimal(repr(float(value))).normalize(), "f")


_PROM_UNITS: Final = (
    ("y", 365 * 86_400_000, True),
    ("w", 7 * 86_400_000, True),
    ("d", 86_400_000, False),
    ("h", 3_600_000, False),
    ("m", 60_000, False),
    ("s", 1000, False),
    ("ms", 1, False),
)


def prom_duration(value: dt.timedelta) -> str:
    """``value`` as Prometheus writes a duration (``prommodel.Duration.String``): 30d, 4w for 28d, 1y for 365d."""
    milliseconds = value // dt.timedelta(milliseconds=1)
    if milliseconds == 0:
        return "0s"
    text = ""
    for unit, size, exact in _PROM_UNITS:
        if exact and milliseconds % size:
            continue
        if (amount := milliseconds // size) > 0:
            text += f"{amount}{unit}"
            milliseconds -= amount * size
    return text


def label_filter(labels: Mapping[str, str]) -> str:
    """A selector as Prometheus' ``LabelSet.String`` writes it: ``{a="x", b="y"}``, sorted by name."""
    return "{" + ", ".join(f"{name}={json.dumps(labels[name], ensure_ascii=False)}" for name in sorted(labels)) + "}"


# -- Sloth's rules ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlothSLO:
    """What Sloth's rules are computed from: names, objective, period, queries and extra labels."""

    service: str
    name: str
    objective: float
    """The objective in percent, as Sloth reads it (a float64)."""
    period: dt.timedelta
    measurement: Measurement
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels on every recording rule (Sloth's service and SLO ``labels``)."""

    @property
    def id_labels(self) -> dict[str, str]:
        """The labels that identify the SLO's series."""
        return {ID_LABEL: f"{self.service}-{self.name}", SERVICE_LABEL: self.service, SLO_LABEL: self.name}

    @property
    def error_budget_ratio(self) -> float:
        """The error budget as a ratio, computed as Sloth does: ``(100 - objective) / 100``."""
        return (100 - self.objective) / 100


def sli_metric(window: dt.timedelta) -> str:
    """The name of the SLI recording rule for ``window``: ``slo:sli_error:ratio_rate5m``."""
    return SLI_ERROR_METRIC + prom_duration(window)


def _with_window(query: str, window: dt.timedelta) -> str:
    return WINDOW_PLACEHOLDER.sub(prom_duration(window), query)


def _sli_expr(measurement: Measurement, window: dt.timedelta) -> str:
    if measurement.error_ratio_query is not None:
        return _with_window(f"({measurement.error_ratio_query})", window)
    template = f"({measurement.error_query})\n/\n({measurement.total_query})\n"
    return _with_window(template, window)


def sli_rules(slo: SlothSLO, windows: AlertWindows = GOOGLE_WINDOWS) -> list[Rule]:
    """The SLI recording rules: one per alert window from the queries, and the period's from the shortest."""
    rules = []
    for window in windows.durations():
        labels = {**slo.id_labels, WINDOW_LABEL: prom_duration(window), **slo.labels}
        rules.append({"record": sli_metric(window), "expr": _sli_expr(slo.measurement, window), "labels": labels})
    shortest = sli_metric(windows.page_quick.short) + label_filter(slo.id_labels)
    period = prom_duration(slo.period)
    rules.append(
        {
            "record": sli_metric(slo.period),
            "expr": f"sum_over_time({shortest}[{period}])\n/ ignoring ({WINDOW_LABEL})\n"
            f"count_over_time({shortest}[{period}])\n",
            "labels": {**slo.id_labels, WINDOW_LABEL: period, **slo.labels},
        }
    )
    return rules


def _burn_rate_expr(sli: str, id_filter: str) -> str:
    return (
        f"{sli}{id_filter}\n/ on({ID_LABEL}, {SLO_LABEL}, {SERVICE_LABEL}) group_left\n"
        f"slo:error_budget:ratio{id_filter}\n"
    )


def metadata_rules(slo: SlothSLO, info_labels: Mapping[str, str], windows: AlertWindows = GOOGLE_WINDOWS) -> list[Rule]:
    """Objective, budget, period, burn rates, remaining budget and the info series, as Sloth records them."""
    labels = {**slo.id_labels, **slo.labels}
    id_filter = label_filter(slo.id_labels)
    objective_ratio = go_float(slo.objective / 100)
    info = {**labels, **info_labels, "sloth_objective": go_fixed(slo.objective)}
    return [
        {"record": "slo:objective:ratio", "expr": f"vector({objective_ratio})", "labels": labels},
        {"record": "slo:error_budget:ratio", "expr": f"vector(1-{objective_ratio})", "labels": labels},
        {"record": "slo:time_period:days", "expr": f"vector({go_float(slo.period / _H / 24)})", "labels": labels},
        {
            "record": "slo:current_burn_rate:ratio",
            "expr": _burn_rate_expr(sli_metric(windows.page_quick.short), id_filter),
            "labels": labels,
        },
        {
            "record": "slo:period_burn_rate:ratio",
            "expr": _burn_rate_expr(sli_metric(slo.period), id_filter),
            "labels": labels,
        },
        {
            "record": "slo:period_error_budget_remaining:ratio",
            "expr": f"1 - slo:period_burn_rate:ratio{id_filter}",
            "labels": labels,
        },
        {"record": "sloth_slo_info", "expr": "vector(1)", "labels": info},
    ]


def _condition(slo: SlothSLO, window: dt.timedelta, factor: float) -> str:
    threshold = f"({go_float(factor)} * {go_float(slo.error_budget_ratio)})"
    return f"max({sli_metric(window)}{label_filter(slo.id_labels)} > {threshold}) without ({WINDOW_LABEL})"


def alert_expr(slo: SlothSLO, quick: AlertWindow, slow: AlertWindow) -> str:
    """Sloth's multi-window multi-burn-rate expression: (quick short and long) or (slow short and long)."""
    quick_factor, slow_factor = quick.burn_rate_factor(slo.period), slow.burn_rate_factor(slo.period)
    return (
        "(\n"
        f"    {_condition(slo, quick.short, quick_factor)}\n    and\n    {_condition(slo, quick.long, quick_factor)}\n"
        ")\nor\n(\n"
        f"    {_condition(slo, slow.short, slow_factor)}\n    and\n    {_condition(slo, slow.long, slow_factor)}\n"
        ")\n"
    )


def sloth_alert(
    slo: SlothSLO, name: str, severity: str, labels: Mapping[str, str], annotations: Mapping[str, str]
) -> Rule:
    """A page or ticket alert as Sloth writes it; ``labels`` and ``annotations`` are merged over Sloth's own."""
    windows = (
        (GOOGLE_WINDOWS.page_quick, GOOGLE_WINDOWS.page_slow)
        if severity == "page"
        else (GOOGLE_WINDOWS.ticket_quick, GOOGLE_WINDOWS.ticket_slow)
    )
    own = {
        "title": f"({severity}) {{{{$labels.{SERVICE_LABEL}}}}} {{{{$labels.{SLO_LABEL}}}}} "
        "SLO error budget burn rate is too fast.",
        "summary": f"{{{{$labels.{SERVICE_LABEL}}}}} {{{{$labels.{SLO_LABEL}}}}} SLO error budget burn rate "
        "is over expected.",
    }
    return {
        "alert": name,
        "expr": alert_expr(slo, *windows),
        "labels": _sorted({SEVERITY_LABEL: severity, **labels}),
        "annotations": _sorted({**own, **annotations}),
    }


def sloth_rules(
    slo: SlothSLO,
    alert_name: str,
    info_labels: Mapping[str, str],
    alert_labels: Mapping[str, Mapping[str, str]] | None = None,
    alert_annotations: Mapping[str, Mapping[str, str]] | None = None,
) -> list[Rule]:
    """Every rule Sloth generates for ``slo``, in its order: SLI, metadata, page alert, ticket alert."""
    alerts = [
        sloth_alert(
            slo,
            alert_name,
            severity,
            (alert_labels or {}).get(severity, {}),
            (alert_annotations or {}).get(severity, {}),
        )
        for severity in ("page", "ticket")
    ]
    sli = [{**rule, "labels": _sorted(rule["labels"])} for rule in sli_rules(slo)]
    meta = [{**rule, "labels": _sorted(rule["labels"])} for rule in metadata_rules(slo, info_labels)]
    return [*sli, *meta, *alerts]


def _sorted(labels: Mapping[str, str]) -> dict[str, str]:
    return {name: labels[name] for name in sorted(labels)}


# -- relpolicy's export ---------------------------------------------------------------------------------


IMPACT_OF: Final = {"page": "outage", "ticket": "degraded"}
"""The incident impact whose priority an alert carries: a page is an outage, a ticket a degradation."""
INFO_LABELS: Final = {"sloth_mode": "relpolicy", "sloth_spec": "relpolicy.dev/v1"}


@dataclass(frozen=True, slots=True)
class ExportedGroup:
    """One SLO's rule group, with the service it belongs to (the file it goes in with ``--out DIR``)."""

    service: str
    slo: str
    group: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PrometheusExport:
    """What ``export prometheus`` made of a policy set."""

    groups: tuple[ExportedGroup, ...]
    unmeasured: tuple[str, ...]
    """SLOs without ``indicator.prometheus``, which have no rules."""
    refusals: tuple[Note, ...]
    notes: tuple[Note, ...]
    """Where an SLO is exported with a difference worth saying (a calendar window alerted on as rolling)."""


def period_of(time_window: str) -> dt.timedelta:
    """The rolling period of an SLO's ``timeWindow``: ``30d``, ``4w``, or a calendar window's rolling length."""
    if time_window in CALENDAR_PERIODS:
        return CALENDAR_PERIODS[time_window]
    amount, unit = int(time_window[:-1]), time_window[-1]
    return dt.timedelta(days=amount * (7 if unit == "w" else 1))


def alert_name(slo_name: str) -> str:
    """The alert's name: the SLO's name in CamelCase, then ``ErrorBudgetBurn`` (``CheckoutAvailability...``)."""
    camel = "".join(part[:1].upper() + part[1:] for part in slo_name.split("-"))
    return ("Slo" + camel if camel[:1].isdigit() else camel) + "ErrorBudgetBurn"


def _in_words(value: dt.timedelta) -> str:
    for unit, size in (("day", 86_400), ("hour", 3600), ("minute", 60)):
        seconds = int(value.total_seconds())
        if seconds % size == 0:
            amount = seconds // size
            return f"{amount} {unit}{'' if amount == 1 else 's'}"
    return format_duration(value)


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def export_prometheus(policy: PolicySet, *, runbook_base_url: str | None = None) -> PrometheusExport:
    """The rule groups of every measured SLO in ``policy``, sorted by service and SLO name."""
    groups: list[ExportedGroup] = []
    unmeasured: list[str] = []
    refusals: list[Note] = []
    notes: list[Note] = []
    for slo in sorted(policy.slos, key=lambda s: (s.spec.service, s.name)):
        measurement = slo.spec.indicator.prometheus
        if measurement is None:
            unmeasured.append(slo.name)
            continue
        period = period_of(slo.spec.time_window)
        if period <= LONGEST_WINDOW:
            message = (
                f"SLO `{slo.name}` has a {slo.spec.time_window} window: burn-rate alerts need a period longer "
                f"than their longest window ({_in_words(LONGEST_WINDOW)}); not exported"
            )
            refusals.append(Note(policy.locate(slo, "spec", "timeWindow"), message, "error"))
            continue
        if slo.spec.time_window in CALENDAR_PERIODS:
            message = (
                f"SLO `{slo.name}` has a calendar {slo.spec.time_window}: its rules use a rolling "
                f"{prom_duration(period)} (Prometheus ranges do not start at calendar boundaries)"
            )
            notes.append(Note(policy.locate(slo, "spec", "timeWindow"), message))
        groups.append(_group(policy, slo, measurement, period, runbook_base_url))
    return PrometheusExport(tuple(groups), tuple(unmeasured), tuple(refusals), tuple(notes))


def _group(
    policy: PolicySet, slo: SLO, measurement: Measurement, period: dt.timedelta, runbook_base_url: str | None
) -> ExportedGroup:
    service = policy.get(Service, slo.spec.service)
    sloth = SlothSLO(slo.spec.service, slo.name, float(slo.spec.objective), period, measurement)
    info = dict(INFO_LABELS)
    labels: dict[str, dict[str, str]] = {"page": {}, "ticket": {}}
    if service is not None:
        info["tier"] = str(service.spec.tier)
        for severity, impact in IMPACT_OF.items():
            labels[severity] |= _service_labels(policy, service, severity, impact)
    annotations = {severity: _annotations(policy, slo, sloth, severity, labels[severity]) for severity in labels}
    if runbook_base_url is not None:
        from relpolicy.render.runbooks import page_file  # noqa: PLC0415 - jinja2 only when linking runbooks

        for texts in annotations.values():
            texts["runbook_url"] = runbook_base_url + page_file(slo.spec.service)
    rules = sloth_rules(sloth, alert_name(slo.name), info, labels, annotations)
    return ExportedGroup(slo.spec.service, slo.name, {"name": f"relpolicy-slo-{slo.name}", "rules": rules})


def _service_labels(policy: PolicySet, service: Service, severity: str, impact: str) -> dict[str, str]:
    labels = {"severity": severity}
    if (priorities := policy.priority_policy_of(service)) is not None:
        labels["priority"], _ = priorities.spec.pick(service.spec.tier, impact, service.metadata.labels)
    if service.spec.owner is not None:
        labels["team"] = service.spec.owner
    if (escalation := policy.escalation_policy_of(service)) is not None:
        labels["escalation_policy"] = escalation.name
    return labels


def _annotations(
    policy: PolicySet, slo: SLO, sloth: SlothSLO, severity: str, labels: Mapping[str, str]
) -> dict[str, str]:
    service = policy.get(Service, slo.spec.service)
    title = service.metadata.title if service is not None else slo.spec.service
    window = slo.spec.time_window
    period_words = (
        f"a calendar {window} (alerted on as a rolling {_in_words(sloth.period)})"
        if window in CALENDAR_PERIODS
        else f"a rolling {_in_words(sloth.period)}"
    )
    objective = _percent(slo.spec.objective)
    quick, slow = (
        (GOOGLE_WINDOWS.page_quick, GOOGLE_WINDOWS.page_slow)
        if severity == "page"
        else (GOOGLE_WINDOWS.ticket_quick, GOOGLE_WINDOWS.ticket_slow)
    )
    quick_factor = quick.burn_rate_factor(sloth.period)
    gone_in = dt.timedelta(seconds=round(sloth.period.total_seconds() / quick_factor))
    who = []
    if "priority" in labels:
        state = "down" if severity == "page" else "degraded"
        who.append(f"priority {labels['priority']} (a tier {_tier(policy, slo)} service {state})")
    if "team" in labels:
        who.append(f"owned by {labels['team']}")
    budget = _percent(100 - slo.spec.objective)
    fast, slow_factor = f"{quick_factor:.4g}", f"{slow.burn_rate_factor(sloth.period):.4g}"  # for people
    description = (
        f"The error ratio of {slo.name} is above {fast}x its budget ({budget} errors) over both "
        f"{_in_words(quick.long)} and {_in_words(quick.short)}, or above {slow_factor}x over both "
        f"{_in_words(slow.long)} and {_in_words(slow.short)}. At {fast}x the budget of {_in_words(sloth.period)} "
        f"is gone in {format_duration(gone_in)}."
    )
    if who:
        description += " " + "; ".join(who)[:1].upper() + "; ".join(who)[1:] + "."
    return {
        "summary": f"{title}: {slo.name} is spending its error budget too fast "
        f"(objective {objective} over {period_words}).",
        "description": description,
    }


def _tier(policy: PolicySet, slo: SLO) -> str:
    service = policy.get(Service, slo.spec.service)
    return "?" if service is None else str(service.spec.tier)


# -- Writing -------------------------------------------------------------------------------------------


HEADER: Final = "# Generated by `relpolicy export prometheus` from the SLOs in the policies. Do not edit.\n"


class _Dumper(yaml.SafeDumper):
    """Block style, expressions of several lines as literal blocks (``|``), as Sloth writes them."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: object) -> str:
    """``data`` as YAML: block style, keys in the order given, long lines never folded."""
    text: str = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000)
    return text


def rules_file(groups: Sequence[ExportedGroup]) -> str:
    """A Prometheus rules file holding ``groups``."""
    return HEADER + dump({"groups": [g.group for g in groups]})


def prometheus_rule(service: str, groups: Sequence[ExportedGroup]) -> dict[str, Any]:
    """A Kubernetes ``PrometheusRule`` resource holding one service's groups."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": f"relpolicy-slo-{service}",
            "labels": {"app.kubernetes.io/component": "SLO", "app.kubernetes.io/managed-by": "relpolicy"},
        },
        "spec": {"groups": [g.group for g in groups]},
    }


def by_service(groups: Sequence[ExportedGroup]) -> dict[str, list[ExportedGroup]]:
    """The groups of each service, services sorted by name."""
    services: dict[str, list[ExportedGroup]] = {}
    for group in sorted(groups, key=lambda g: (g.service, g.slo)):
        services.setdefault(group.service, []).append(group)
    return services


def prometheus_rules_file(groups: Sequence[ExportedGroup]) -> str:
    """One ``PrometheusRule`` document per service, separated by ``---``."""
    documents = [dump(prometheus_rule(service, own)) for service, own in by_service(groups).items()]
    return HEADER + "---\n".join(documents)
