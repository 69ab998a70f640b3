"""Sloth SLO specs as relpolicy SLOs: ``prometheus/v1`` service specs and Kubernetes ``PrometheusServiceLevel``.

Sloth (https://github.com/slok/sloth) writes the same spec two ways: a plain file
(``version: prometheus/v1``, snake_case fields) and a Kubernetes resource
(``apiVersion: sloth.slok.dev/v1``, ``kind: PrometheusServiceLevel``, the spec under ``spec`` with
camelCase fields). Each SLO of a spec becomes a relpolicy SLO:

- its name is Sloth's SLO id, ``<service>-<name>`` (relpolicy SLO names are unique across
  services), ``objective`` and ``description`` are kept, and the spec's ``labels`` merged with the
  SLO's become the SLO's labels (the SLO's win, as in Sloth);
- ``sli.events`` (``error_query``/``errorQuery``, ``total_query``/``totalQuery``) becomes
  ``indicator.prometheus.errorQuery``/``totalQuery``, and ``sli.raw`` (``error_ratio_query``/
  ``errorRatioQuery``) ``errorRatioQuery``; a ``sli.plugin`` is not mapped;
- the indicator is ``custom`` (Sloth does not say whether it measures availability or latency);
- the window is relpolicy's default rolling 30d, which is Sloth's default too;
- ``alerting`` is not mapped, field by field, with why: relpolicy names its alerts after the SLO
  and takes their labels from the owner and the priority policy (``relpolicy export prometheus``).

Nothing is guessed silently: each field that does not map is a located note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from relpolicy.export.prometheus import alert_name
from relpolicy.findings import Note
from relpolicy.importers._shared import (
    Imported,
    Source,
    add_checked,
    get,
    labels,
    number,
    percent,
    resource,
)
from relpolicy.source.parse import ParsedDocument

PLAIN_VERSION: Final = "prometheus/v1"
K8S_API_VERSION: Final = "sloth.slok.dev/v1"
K8S_KIND: Final = "PrometheusServiceLevel"
HUNDRED: Final = Decimal(100)


@dataclass(frozen=True, slots=True)
class _Spelling:
    """The field names of one of Sloth's two formats."""

    error_query: str
    total_query: str
    error_ratio_query: str
    page_alert: str
    ticket_alert: str


_SNAKE: Final = _Spelling("error_query", "total_query", "error_ratio_query", "page_alert", "ticket_alert")
_CAMEL: Final = _Spelling("errorQuery", "totalQuery", "errorRatioQuery", "pageAlert", "ticketAlert")
_SLO_FIELDS: Final = frozenset({"name", "objective", "description", "labels", "sli", "alerting"})


def import_sloth(documents: Sequence[ParsedDocument], *, tier: int | None = None) -> Imported:
    """Relpolicy documents for the Sloth specs among ``documents``."""
    imported = Imported()
    for document in documents:
        source = Source(document)
        data = source.data
        if isinstance(data, dict) and data.get("version") == PLAIN_VERSION:
            _spec(source, (), _SNAKE, tier, imported)
        elif isinstance(data, dict) and data.get("apiVersion") == K8S_API_VERSION and data.get("kind") == K8S_KIND:
            _spec(source, ("spec",), _CAMEL, tier, imported)
        else:
            imported.notes.append(Note(source.at(), _not_sloth(data), "error"))
    return imported


def _not_sloth(data: object) -> str:
    if isinstance(data, dict) and isinstance(version := data.get("version"), str):
        return f"`version: {version}` is not read: only Sloth's `{PLAIN_VERSION}` specs"
    if isinstance(data, dict) and "apiVersion" in data:
        return (
            f"`apiVersion: {data.get('apiVersion')}`, `kind: {data.get('kind')}` is not a Sloth spec "
            f"(`{K8S_API_VERSION}` `{K8S_KIND}`); skipped"
        )
    return f"not a Sloth spec (`version: {PLAIN_VERSION}` or a `{K8S_KIND}`); skipped"


def _spec(source: Source, root: tuple[str, ...], spelling: _Spelling, tier: int | None, imported: Imported) -> None:
    service = get(source.data, *root, "service")
    if not isinstance(service, str):
        imported.notes.append(Note(source.at(*root), "the spec names no `service`; not imported", "error"))
        return
    notes: list[Note] = []
    common = labels(source, (*root, "labels"), f"service `{service}`", notes)
    imported.notes.extend(notes)
    if tier is None:
        imported.notes.append(
            Note(
                source.at(*root, "service"),
                f"Service `{service}` not written: a relpolicy Service needs a `tier` (1-4), which Sloth has not; "
                "give --tier, or write the service by hand",
            )
        )
    else:
        description = f"The service `{service}` of a Sloth spec."
        imported.notes.append(
            Note(
                source.at(*root, "service"),
                f"Service `{service}`: Sloth has no description; written as {description!r}, say what it does",
            )
        )
        service_doc = resource("Service", {"name": service}, {"description": description, "tier": tier})
        add_checked(source, service, service_doc, f"Service `{service}`", imported)
    slos = get(source.data, *root, "slos")
    if not isinstance(slos, list) or not slos:
        imported.notes.append(Note(source.at(*root), f"service `{service}` has no `slos`", "error"))
        return
    for index in range(len(slos)):
        _slo(source, (*root, "slos", index), (service, common), spelling, imported)


def _slo(
    source: Source,
    path: tuple[str | int, ...],
    of: tuple[str, dict[str, str]],
    spelling: _Spelling,
    imported: Imported,
) -> None:
    """Import the SLO at ``path`` of the spec of service ``of[0]``, whose labels are ``of[1]``."""
    service, common = of
    slo = get(source.data, *path)
    name = get(slo, "name")
    if not isinstance(name, str):
        imported.notes.append(Note(source.at(*path), "an SLO without a `name`; not imported", "error"))
        return
    slo_id = f"{service}-{name}"
    what = f"SLO `{slo_id}`"
    notes: list[Note] = []
    objective = percent(get(slo, "objective"))
    if objective is None or not 0 < objective < HUNDRED:
        why = (
            "no numeric `objective`"
            if objective is None
            else f"objective {get(slo, 'objective')} is not strictly between 0 and 100 percent, as relpolicy's are "
            "(at 100 there is no error budget to alert on)"
        )
        imported.notes.append(Note(source.at(*path, "objective"), f"{what} not imported: {why}", "error"))
        return
    metadata: dict[str, Any] = {"name": slo_id}
    slo_labels = {**common, **labels(source, (*path, "labels"), what, notes)}
    if slo_labels:
        metadata["labels"] = dict(sorted(slo_labels.items()))
    indicator: dict[str, Any] = {"type": "custom", "description": f"Sloth's SLI of `{name}`."}
    measurement = _measurement(source, (*path, "sli"), spelling, what, notes)
    if measurement is not None:
        indicator["prometheus"] = measurement
    spec: dict[str, Any] = {"service": service}
    description = get(slo, "description")
    if isinstance(description, str) and description.strip():
        spec["description"] = description
    spec["indicator"] = indicator
    spec["objective"] = number(objective)
    _alerting(source, (*path, "alerting"), slo_id, spelling, notes)
    notes.extend(
        Note(source.at(*path, key, key=True), f"{what}: `{key}` is not a field of Sloth's SLO spec; not mapped")
        for key in slo
        if key not in _SLO_FIELDS
    )
    imported.notes.extend(notes)
    add_checked(source, service, resource("SLO", metadata, spec), what, imported)


def _measurement(
    source: Source, path: tuple[str | int, ...], spelling: _Spelling, what: str, notes: list[Note]
) -> dict[str, str] | None:
    sli = get(source.data, *path)
    events, raw, plugin = get(sli, "events"), get(sli, "raw"), get(sli, "plugin")
    if isinstance(events, dict):
        error, total = events.get(spelling.error_query), events.get(spelling.total_query)
        if isinstance(error, str) and isinstance(total, str):
            return {"errorQuery": error.strip(), "totalQuery": total.strip()}
        notes.append(
            Note(
                source.at(*path, "events"),
                f"{what}: sli.events needs `{spelling.error_query}` and `{spelling.total_query}`; not mapped",
            )
        )
    elif isinstance(raw, dict):
        ratio = raw.get(spelling.error_ratio_query)
        if isinstance(ratio, str):
            return {"errorRatioQuery": ratio.strip()}
        notes.append(Note(source.at(*path, "raw"), f"{what}: sli.raw needs `{spelling.error_ratio_query}`; not mapped"))
    elif plugin is not None:
        notes.append(
            Note(
                source.at(*path, "plugin"),
                f"{what}: sli.plugin not mapped: relpolicy needs the queries themselves, and a plugin makes them "
                "inside Sloth",
            )
        )
    else:
        notes.append(Note(source.at(*path), f"{what}: the SLI is neither `events` nor `raw`; not mapped"))
    return None


def _alerting(source: Source, path: tuple[str | int, ...], slo_id: str, spelling: _Spelling, notes: list[Note]) -> None:
    what = f"SLO `{slo_id}`"
    alerting = get(source.data, *path)
    if not isinstance(alerting, dict):
        return
    derived = "relpolicy sets alert labels and annotations from the owner, the priority policy and the runbook"
    reasons = {
        "name": f"relpolicy names the alerts after the SLO (`{alert_name(slo_id)}`)",
        "labels": derived,
        "annotations": derived,
    }
    for key, value in alerting.items():
        here = (*path, key)
        if key in reasons:
            notes.append(Note(source.at(*here), f"{what}: alerting.{key} not mapped: {reasons[key]}"))
        elif key in {spelling.page_alert, spelling.ticket_alert}:
            kind = "page" if key == spelling.page_alert else "ticket"
            if get(value, "disable") is True:
                notes.append(
                    Note(
                        source.at(*here, "disable"),
                        f"{what}: alerting.{key}.disable not mapped: relpolicy writes both the page and the ticket "
                        "alert (drop one in Alertmanager's routes)",
                    )
                )
            notes.extend(
                Note(
                    source.at(*here, part),
                    f"{what}: alerting.{key}.{part} not mapped: relpolicy takes the {kind} alert's severity and "
                    "priority from the priority policy",
                )
                for part in ("labels", "annotations")
                if get(value, part)
            )
        else:
            notes.append(Note(source.at(*here, key=True), f"{what}: alerting.{key} is not a Sloth field; not mapped"))
