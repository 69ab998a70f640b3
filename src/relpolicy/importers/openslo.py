"""OpenSLO v1 documents as relpolicy SLOs (and Services): what maps, and a located note for what does not.

Mapping (the inverse of :mod:`relpolicy.export.openslo`, so a round trip keeps every SLO field):

- ``SLO``: ``metadata`` (name, displayName, labels, annotations), ``spec.description``,
  ``spec.service``; the SLI inline (``indicator``) or by name (``indicatorRef`` to a ``kind: SLI``
  document among the inputs); ``ratioMetric`` ``bad``/``total`` -> ``errorQuery``/``totalQuery``,
  ``good``/``total`` -> ``errorRatioQuery: 1 - ((good) / (total))`` (as Sloth reads OpenSLO), ``raw``
  with ``rawType: failure`` -> ``errorRatioQuery``, with ``success`` -> ``1 - (raw)``. A query must be
  a Prometheus metric source's ``spec.query`` with ``{{.window}}`` where the range goes.
- ``timeWindow``: rolling ``Nd``, ``Nw``, or hours and minutes that make whole days; calendar
  ``1M`` -> ``month``, ``3M``/``1Q`` -> ``quarter``, ``12M``/``4Q``/``1Y`` -> ``year``. ``1m`` is a
  minute, not a month. relpolicy's calendar periods start at midnight UTC on the first of a month
  (quarters in January, April, July, October): another ``startTime`` or ``timeZone`` is noted.
- ``objectives[].target`` (a ratio, 0.999) or ``targetPercent`` (99.9) -> ``objective`` in percent,
  in exact decimals; several objectives make several SLOs, named after each objective.
- ``budgetingMethod: Occurrences``; ``Timeslices`` and ``RatioTimeslices`` are noted as not mapped.
- ``relpolicy.dev/`` annotations (written by ``relpolicy export openslo``) give back the
  indicator's type, a latency threshold, the SLA and ``maintenanceCountsAgainstBudget``.
- ``Service``: name, displayName, labels, annotations, description; a relpolicy Service also
  needs a ``tier``, which OpenSLO has not: it is written only when the caller gives one.

An SLO without a service, an objective, or a window relpolicy can keep is not imported (an
``error`` note); every other field that does not map is a ``note``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from relpolicy.export.openslo import (
    ANNOTATION_PREFIX,
    INDICATOR_TYPE,
    LATENCY_THRESHOLD,
    MAINTENANCE_COUNTS,
    SLA,
)
from relpolicy.findings import Note
from relpolicy.importers._shared import (
    Imported,
    Source,
    add_checked,
    get,
    has_window,
    labels,
    number,
    percent,
    resource,
)
from relpolicy.model.types import NAME_PATTERN
from relpolicy.source.parse import ParsedDocument

API_VERSION: Final = "openslo/v1"
_DURATION: Final = re.compile(r"^([1-9][0-9]*)([mhdwMQY])$")
_NAME: Final = re.compile(NAME_PATTERN.replace("$", r"\Z"))
_START: Final = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[ T]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?$")
_UTC_ZONES: Final = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/GMT", "GMT", "Etc/Zulu", "Zulu", "Universal"})
_CALENDAR: Final = {("M", 1): "month", ("M", 3): "quarter", ("Q", 1): "quarter", ("M", 12): "year", ("Q", 4): "year"}
_CALENDAR[("Y", 1)] = "year"
_MONTHS_OF: Final = {"month": range(1, 13), "quarter": (1, 4, 7, 10), "year": (1,)}
_MAX_DAYS: Final = 9999
_MAX_WEEKS: Final = 999
_NOT_MAPPED_KINDS: Final = {
    "DataSource": "relpolicy reads Prometheus queries from the SLI itself; a DataSource's connection is not kept",
    "AlertPolicy": "relpolicy derives alerts from the policy (`relpolicy export prometheus`)",
    "AlertCondition": "relpolicy derives alerts from the policy (`relpolicy export prometheus`)",
    "AlertNotificationTarget": "relpolicy routes alerts by the owner's team and priority, not by named targets",
}


@dataclass(frozen=True, slots=True)
class _Indicator:
    """The SLI an SLO uses: its data and the document it is in, at which key path."""

    source: Source
    path: tuple[str | int, ...]
    """The key path of the SLI's ``spec`` in its document."""
    name: str | None


def import_openslo(documents: Sequence[ParsedDocument], *, tier: int | None = None) -> Imported:
    """Relpolicy documents for the OpenSLO v1 ``documents`` (every input file's, in order)."""
    imported = Imported()
    sources = [Source(document) for document in documents]
    slis: dict[str, Source] = {}
    data_sources: dict[str, Source] = {}
    for source in sources:
        if _is_v1(source) and isinstance(name := get(source.data, "metadata", "name"), str):
            if source.data.get("kind") == "SLI":
                slis.setdefault(name, source)
            elif source.data.get("kind") == "DataSource":
                data_sources.setdefault(name, source)
    for source in sources:
        data = source.data
        if not isinstance(data, dict):
            imported.notes.append(Note(source.at(), "not a mapping: not an OpenSLO document; skipped", "error"))
            continue
        api_version, kind = data.get("apiVersion"), data.get("kind")
        if api_version != API_VERSION:
            imported.notes.append(Note(source.at("apiVersion"), _other_version(api_version), "error"))
        elif kind == "SLO":
            _slo(source, slis, data_sources, imported)
        elif kind == "Service":
            _service(source, tier, imported)
        elif kind == "SLI":
            pass  # read through the SLOs that refer to it
        elif isinstance(kind, str) and kind in _NOT_MAPPED_KINDS:
            imported.notes.append(Note(source.at("kind"), f"{kind} not mapped: {_NOT_MAPPED_KINDS[kind]}"))
        else:
            imported.notes.append(
                Note(source.at("kind"), f"`kind: {kind}` is not an OpenSLO v1 kind; skipped", "error")
            )
    return imported


def _is_v1(source: Source) -> bool:
    return isinstance(source.data, dict) and source.data.get("apiVersion") == API_VERSION


def _other_version(api_version: object) -> str:
    if isinstance(api_version, str) and api_version.startswith("openslo/"):
        return (
            f"`apiVersion: {api_version}` is not read: only `openslo/v1` (convert older documents with `oslo convert`)"
        )
    return f"`apiVersion: {api_version}` is not OpenSLO v1; skipped"


def _metadata(source: Source, what: str, notes: list[Note]) -> tuple[dict[str, Any], dict[str, str]]:
    """relpolicy metadata from OpenSLO's, and the ``relpolicy.dev/`` annotations set apart."""
    meta = get(source.data, "metadata")
    out: dict[str, Any] = {"name": get(meta, "name")}
    display_name = get(meta, "displayName")
    if isinstance(display_name, str) and display_name.strip():
        out["displayName"] = display_name
    found = labels(source, ("metadata", "labels"), what, notes)
    if found:
        out["labels"] = found
    annotations = labels(source, ("metadata", "annotations"), what, notes, kind="annotations")
    own = {k: v for k, v in annotations.items() if k.startswith(ANNOTATION_PREFIX)}
    rest = {k: v for k, v in annotations.items() if not k.startswith(ANNOTATION_PREFIX)}
    if rest:
        out["annotations"] = rest
    return out, own


def _service(source: Source, tier: int | None, imported: Imported) -> None:
    name = get(source.data, "metadata", "name")
    what = f"Service `{name}`"
    if tier is None:
        imported.notes.append(
            Note(
                source.at("kind"),
                f"{what} not written: a relpolicy Service needs a `tier` (1-4), which OpenSLO has not; "
                "give --tier, or write the service by hand",
            )
        )
        return
    notes: list[Note] = []
    metadata, _ = _metadata(source, what, notes)
    description = get(source.data, "spec", "description")
    if not isinstance(description, str) or not description.strip():
        description = metadata.get("displayName")
        if description is None:
            imported.notes.append(
                Note(source.at("spec"), f"{what} not written: a relpolicy Service needs a description", "error")
            )
            return
        notes.append(Note(source.at("spec"), f"{what}: no description; its displayName is used"))
    document = resource("Service", metadata, {"description": description, "tier": tier})
    imported.notes.extend(notes)
    add_checked(source, str(name), document, what, imported)


def _slo(source: Source, slis: dict[str, Source], data_sources: dict[str, Source], imported: Imported) -> None:
    data = source.data
    name = get(data, "metadata", "name")
    what = f"SLO `{name}`"
    notes: list[Note] = []

    def refuse(message: str, *path: str | int) -> None:
        imported.notes.extend(notes)
        imported.notes.append(Note(source.at(*path), f"{what} not imported: {message}", "error"))

    if not isinstance(name, str) or not _NAME.match(name):
        refuse("`metadata.name` is not a relpolicy name (lowercase letters, digits and `-`, at most 63)", "metadata")
        return
    service = get(data, "spec", "service")
    if not isinstance(service, str):
        refuse("it names no `spec.service`, and every relpolicy SLO belongs to a service", "spec")
        return
    metadata, own = _metadata(source, what, notes)
    window = _time_window(source, what, notes)
    if isinstance(window, Note):
        imported.notes.extend(notes)
        imported.notes.append(window)
        return
    objectives = _objectives(source, what, notes)
    if isinstance(objectives, Note):
        imported.notes.extend(notes)
        imported.notes.append(objectives)
        return
    _budgeting(source, what, notes)
    if get(data, "spec", "alertPolicies"):
        notes.append(
            Note(
                source.at("spec", "alertPolicies"),
                f"{what}: alertPolicies not mapped: relpolicy derives alerts from the policy "
                "(`relpolicy export prometheus`)",
            )
        )
    indicator = _find_indicator(source, slis, what, notes)
    if isinstance(indicator, Note):
        imported.notes.extend(notes)
        imported.notes.append(indicator)
        return
    spec: dict[str, Any] = {"service": service}
    description = get(data, "spec", "description")
    if isinstance(description, str) and description.strip():
        spec["description"] = description
    spec["indicator"] = _indicator(indicator, own, data_sources, what, notes)
    spec.update(_own_fields(source, own, what, notes))
    if window is not None:
        spec["timeWindow"] = window
    several = len(objectives) > 1
    if several:
        names = ", ".join(f"`{name}-{suffix}`" for suffix, _ in objectives)
        notes.append(
            Note(
                source.at("spec", "objectives"),
                f"{what}: {len(objectives)} objectives; a relpolicy SLO has one, so they are written as "
                f"{len(objectives)} SLOs: {names}",
            )
        )
    imported.notes.extend(notes)
    for suffix, objective in objectives:
        slo_metadata = dict(metadata)
        if several:
            slo_metadata["name"] = f"{name}-{suffix}"
        document = resource("SLO", slo_metadata, {**spec, "objective": objective})
        add_checked(source, service, document, what, imported)


def _own_fields(source: Source, own: dict[str, str], what: str, notes: list[Note]) -> dict[str, object]:
    """The SLO fields kept in ``relpolicy.dev/`` annotations (by ``relpolicy export openslo``)."""
    out: dict[str, object] = {}
    for key, field in ((SLA, "sla"), (MAINTENANCE_COUNTS, "maintenanceCountsAgainstBudget")):
        if key in own:
            value = _annotation_value(own[key], field)
            if value is None:
                notes.append(
                    Note(source.at("metadata", "annotations", key), f"{what}: `{key}` is not valid; not mapped")
                )
            else:
                out[field] = value
    return out


def _annotation_value(text: str, field: str) -> object:
    if field == "sla":
        value = percent(_float(text))
        return None if value is None else number(value)
    return {"true": True, "false": False}.get(text)


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _time_window(source: Source, what: str, notes: list[Note]) -> str | Note | None:
    """relpolicy's ``timeWindow`` (None: none given, the default applies), or the error that refuses the SLO."""
    windows = get(source.data, "spec", "timeWindow")
    if windows is None:
        notes.append(Note(source.at("spec"), f"{what}: no timeWindow; relpolicy's default, a rolling 30d, applies"))
        return None
    if not isinstance(windows, list) or len(windows) != 1 or not isinstance(windows[0], dict):
        return Note(
            source.at("spec", "timeWindow"),
            f"{what} not imported: `timeWindow` must be a list of exactly one window",
            "error",
        )
    window = windows[0]
    path = ("spec", "timeWindow", 0)
    duration = window.get("duration")
    match = _DURATION.match(duration) if isinstance(duration, str) else None
    if match is None:
        return Note(
            source.at(*path, "duration"),
            f"{what} not imported: duration `{duration}` is not an OpenSLO duration "
            "(a number and m, h, d, w, M, Q or Y)",
            "error",
        )
    amount, unit = int(match[1]), match[2]
    if window.get("calendar") is not None or window.get("isRolling") is False:
        return _calendar(source, path, (amount, unit), what, notes)
    return _rolling(source, path, amount, unit, what)


def _rolling(source: Source, path: tuple[str | int, ...], amount: int, unit: str, what: str) -> str | Note:
    days = {"d": amount, "h": amount / 24, "m": amount / 1440}.get(unit)
    where = source.at(*path, "duration")
    if unit == "w" and amount <= _MAX_WEEKS:
        return f"{amount}w"
    if days is not None and days == int(days) and 1 <= days <= _MAX_DAYS:
        return f"{int(days)}d"
    if unit == "m":
        why = (
            f"`{amount}m` is {amount} minute{'s' if amount > 1 else ''}, not whole days (a month is `M`: "
            "`1M`, a calendar month)"
        )
    elif unit in "MQY":
        why = f"a rolling `{amount}{unit}` has no fixed length; relpolicy rolling windows are days or weeks"
    else:
        why = f"`{amount}{unit}` is not a whole number of days from 1 to {_MAX_DAYS} (or weeks up to {_MAX_WEEKS})"
    return Note(where, f"{what} not imported: {why}", "error")


def _calendar(
    source: Source, path: tuple[str | int, ...], duration: tuple[int, str], what: str, notes: list[Note]
) -> str | Note:
    amount, unit = duration
    calendar = get(source.data, *path, "calendar")
    period = _CALENDAR.get((unit, amount))
    if period is None:
        return Note(
            source.at(*path, "duration"),
            f"{what} not imported: a calendar `{amount}{unit}` is not a month (1M), a quarter (1Q, 3M) or a year "
            "(1Y, 4Q, 12M), the calendar periods relpolicy has",
            "error",
        )
    if not isinstance(calendar, dict):
        notes.append(
            Note(source.at(*path), f"{what}: a calendar window without `calendar`; read as calendar {period}s")
        )
        return period
    if get(source.data, *path, "isRolling") is True:
        notes.append(
            Note(
                source.at(*path, "isRolling"),
                f"{what}: `isRolling: true` with a `calendar`; read as calendar {period}s",
            )
        )
    zone = calendar.get("timeZone")
    if zone not in _UTC_ZONES:
        notes.append(
            Note(
                source.at(*path, "calendar", "timeZone"),
                f"{what}: timeZone `{zone}` not mapped: relpolicy's calendar periods start at midnight UTC, "
                f"so each {period} starts at the UTC midnight instead of the local one",
            )
        )
    start = calendar.get("startTime")
    if isinstance(start, dt.datetime | dt.date):
        start = start.isoformat(sep=" ") if isinstance(start, dt.datetime) else start.isoformat()
    aligned = _aligned(start, period)
    if aligned is not True:
        notes.append(
            Note(
                source.at(*path, "calendar", "startTime"),
                f"{what}: startTime `{start}` not mapped: {aligned}; relpolicy's {period}s start at midnight on "
                f"the 1st{' of January, April, July and October' if period == 'quarter' else ''}"
                f"{' of January' if period == 'year' else ''}",
            )
        )
    return period


def _aligned(start: object, period: str) -> str | bool:
    match = _START.match(start) if isinstance(start, str) else None
    if match is None:
        return "it is not a date and time (YYYY-MM-DD hh:mm:ss)"
    _, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
    if (day, hour, minute, second) != (1, 0, 0, 0) or month not in _MONTHS_OF[period]:
        return f"it is not the start of a {period}"
    return True


def _objectives(source: Source, what: str, notes: list[Note]) -> list[tuple[str, int | float]] | Note:
    """``(name suffix, objective in percent)`` for each objective, or the error that refuses the SLO."""
    objectives = get(source.data, "spec", "objectives")
    if not isinstance(objectives, list) or not objectives:
        return Note(source.at("spec", "objectives"), f"{what} not imported: it has no objectives", "error")
    out: list[tuple[str, int | float]] = []
    for index, objective in enumerate(objectives):
        path = ("spec", "objectives", index)
        if not isinstance(objective, dict):
            return Note(source.at(*path), f"{what} not imported: objective {index + 1} is not a mapping", "error")
        target, percent_ = objective.get("target"), objective.get("targetPercent")
        if target is not None and percent_ is not None:
            return Note(
                source.at(*path),
                f"{what} not imported: objective {index + 1} has both target and targetPercent",
                "error",
            )
        if target is not None:
            value = percent(target)
            key = "target"
            value = None if value is None else value.scaleb(2)
        else:
            value, key = percent(percent_), "targetPercent"
        if value is None or not Decimal(0) < value < Decimal(100):
            shown = target if target is not None else percent_
            scale = "a ratio from 0 to 1, like 0.999" if key == "target" else "a percentage below 100, like 99.9"
            return Note(
                source.at(*path, key) if shown is not None else source.at(*path),
                f"{what} not imported: objective {index + 1}: `{key}: {shown}` is not {scale} "
                "(relpolicy objectives are strictly between 0 and 100 percent)",
                "error",
            )
        notes.extend(
            Note(
                source.at(*path, field),
                f"{what}: objective `{field}` not mapped: relpolicy objectives are "
                "a share of good events or time, not a threshold on a metric",
            )
            for field in ("op", "value")
            if field in objective
        )
        out.append((_suffix(objective.get("displayName"), index, out), number(value)))
    return out


def _suffix(display_name: object, index: int, taken: list[tuple[str, int | float]]) -> str:
    """A name part for the objective: its displayName in lowercase words, else its number."""
    slug = re.sub(r"[^a-z0-9]+", "-", display_name.lower()).strip("-") if isinstance(display_name, str) else ""
    if not slug or len(slug) > 20 or any(suffix == slug for suffix, _ in taken):
        return str(index + 1)
    return slug


def _budgeting(source: Source, what: str, notes: list[Note]) -> None:
    method = get(source.data, "spec", "budgetingMethod")
    if method == "Occurrences":
        return
    if method is None:
        notes.append(Note(source.at("spec"), f"{what}: no budgetingMethod; read as Occurrences, as relpolicy counts"))
        return
    slices = [
        f"`{field}`"
        for index, objective in enumerate(get(source.data, "spec", "objectives") or [])
        for field in ("timeSliceTarget", "timeSliceWindow")
        if isinstance(objective, dict) and field in objective and index == 0
    ]
    extra = f" ({' and '.join(slices)} dropped)" if slices else ""
    notes.append(
        Note(
            source.at("spec", "budgetingMethod"),
            f"{what}: budgetingMethod `{method}` not mapped{extra}: relpolicy's objective is the share of good "
            "events (Occurrences) over the window; a time-slice budget is not kept",
        )
    )


def _find_indicator(source: Source, slis: dict[str, Source], what: str, notes: list[Note]) -> _Indicator | Note:
    spec = get(source.data, "spec")
    inline, ref = get(spec, "indicator"), get(spec, "indicatorRef")
    if isinstance(inline, dict):
        if ref is not None:
            notes.append(Note(source.at("spec", "indicatorRef"), f"{what}: indicatorRef ignored: the SLI is inline"))
        name = get(inline, "metadata", "name")
        return _Indicator(source, ("spec", "indicator", "spec"), name if isinstance(name, str) else None)
    if isinstance(ref, str):
        sli = slis.get(ref)
        if sli is None:
            return Note(
                source.at("spec", "indicatorRef"),
                f"{what} not imported: its indicatorRef `{ref}` names no `kind: SLI` document among the files read",
                "error",
            )
        return _Indicator(sli, ("spec",), ref)
    return Note(source.at("spec"), f"{what} not imported: it has neither `indicator` nor `indicatorRef`", "error")


def _indicator(
    sli: _Indicator, own: dict[str, str], data_sources: dict[str, Source], what: str, notes: list[Note]
) -> dict[str, Any]:
    spec = get(sli.source.data, *sli.path)
    source, path = sli.source, sli.path
    out: dict[str, Any] = {}
    kind = own.get(INDICATOR_TYPE)
    threshold = own.get(LATENCY_THRESHOLD)
    description = get(spec, "description")
    if isinstance(description, str) and description.strip():
        out["description"] = description
    if kind == "latency" and threshold is not None:
        out["type"], out["threshold"] = "latency", threshold
    elif kind in {"availability", "custom"}:
        out["type"] = kind
    else:
        out["type"] = "custom"
        if "description" not in out:
            out["description"] = f"Measured as the OpenSLO SLI `{sli.name or 'inline'}`."
        notes.append(
            Note(
                source.at(*path[:-1]) if path[-1] == "spec" and len(path) > 1 else source.at(*path),
                f"{what}: OpenSLO does not say whether the SLI measures availability or latency; written as a "
                "`custom` indicator (change `type` to availability, or latency with a threshold, if it is one)",
            )
        )
    measurement = _measurement(source, path, data_sources, what, notes)
    if measurement is not None:
        out["prometheus"] = measurement
    return out


def _measurement(
    source: Source, path: tuple[str | int, ...], data_sources: dict[str, Source], what: str, notes: list[Note]
) -> dict[str, str] | None:
    spec = get(source.data, *path)
    if get(spec, "thresholdMetric") is not None:
        notes.append(
            Note(
                source.at(*path, "thresholdMetric"),
                f"{what}: thresholdMetric not mapped: relpolicy measures a ratio of bad to total events",
            )
        )
        return None
    ratio = get(spec, "ratioMetric")
    if not isinstance(ratio, dict):
        notes.append(Note(source.at(*path), f"{what}: the SLI has no ratioMetric; no Prometheus measurement"))
        return None
    here = (*path, "ratioMetric")
    queries = {
        part: _query(source, (*here, part), data_sources, what, notes)
        for part in ("good", "bad", "total", "raw")
        if part in ratio
    }
    if any(query is None for query in queries.values()):
        return None
    if "raw" in queries:
        raw_type = ratio.get("rawType")
        if raw_type == "failure":
            return {"errorRatioQuery": str(queries["raw"])}
        if raw_type == "success":
            return {"errorRatioQuery": f"1 - ({queries['raw']})"}
        notes.append(Note(source.at(*here), f"{what}: a raw ratio needs `rawType: success` or `failure`; not mapped"))
        return None
    total = queries.get("total")
    if total is not None and "bad" in queries and "good" not in queries:
        return {"errorQuery": str(queries["bad"]), "totalQuery": total}
    if total is not None and "good" in queries and "bad" not in queries:
        return {"errorRatioQuery": f"1 - (({queries['good']}) / ({total}))"}
    notes.append(
        Note(source.at(*here), f"{what}: ratioMetric needs `bad` or `good` with `total`, or `raw`; not mapped")
    )
    return None


def _query(
    source: Source, path: tuple[str | int, ...], data_sources: dict[str, Source], what: str, notes: list[Note]
) -> str | None:
    metric = get(source.data, *path, "metricSource")
    kind = get(metric, "type")
    ref = get(metric, "metricSourceRef")
    if kind is None and isinstance(ref, str) and ref in data_sources:
        kind = get(data_sources[ref].data, "spec", "type")
    if not isinstance(kind, str) or kind.lower() != "prometheus":
        notes.append(
            Note(
                source.at(*path, "metricSource"),
                f"{what}: metric source `{kind}` not mapped: relpolicy measures with Prometheus queries",
            )
        )
        return None
    query = get(metric, "spec", "query")
    if not isinstance(query, str) or not query.strip():
        notes.append(
            Note(source.at(*path, "metricSource"), f"{what}: the metric source has no `spec.query`; not mapped")
        )
        return None
    if not has_window(query):
        notes.append(
            Note(
                source.at(*path, "metricSource", "spec", "query"),
                f"{what}: query not mapped: it has no `{{{{.window}}}}` where the range goes, which relpolicy (like "
                "Sloth) needs to compute each alert window",
            )
        )
        return None
    return query.strip()
