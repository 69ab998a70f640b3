"""SLOs as OpenSLO v1 documents: a ``Service`` for each service with a measured SLO, and its ``SLO``\\s.

OpenSLO (https://github.com/OpenSLO/OpenSLO, ``apiVersion: openslo/v1``) is the exchange format
of SLO tools. Each relpolicy SLO whose indicator says how it is measured (``indicator.prometheus``)
becomes an OpenSLO ``SLO`` with its SLI inline:

- ``errorQuery``/``totalQuery`` become a ``ratioMetric`` with ``bad`` and ``total``
  (``counter: true``), and ``errorRatioQuery`` a ``raw`` ratio with ``rawType: failure``; each is a
  ``metricSource`` of ``type: Prometheus`` whose ``spec.query`` is the query as written, with
  ``{{.window}}`` where the range goes (as Sloth's OpenSLO reader expects);
- a rolling ``30d``/``4w`` is ``timeWindow: [{duration: 30d, isRolling: true}]``; a calendar
  ``month``, ``quarter`` or ``year`` is ``1M``, ``1Q``, ``1Y`` with ``calendar.startTime``
  ``2020-01-01 00:00:00`` and ``timeZone: UTC`` (relpolicy's calendar periods start at midnight
  UTC on the first of a month, see :mod:`relpolicy.chrono.budget`);
- ``budgetingMethod: Occurrences`` (relpolicy counts good events, or good time, in the window);
- the objective is one ``target`` as a ratio: 99.9 (percent) is ``0.999``;
- what OpenSLO has no field for is kept in ``metadata.annotations`` under ``relpolicy.dev/``
  (OpenSLO's place for implementation metadata): the indicator's type, a latency threshold,
  the SLA and ``maintenanceCountsAgainstBudget``. ``relpolicy import openslo`` reads them back,
  so a round trip keeps every SLO field.

An SLO without a measurement has no valid OpenSLO form (an SLI needs a metric) and is left out;
a label OpenSLO cannot carry (a key with a ``prefix/``) is left out with a note.
Nothing here reads files or the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

import yaml

from relpolicy.findings import Note
from relpolicy.model.base import Metadata, Resource
from relpolicy.model.service import Service
from relpolicy.model.slo import SLO, LatencyIndicator
from relpolicy.model.slo import Prometheus as Measurement
from relpolicy.policy import PolicySet

API_VERSION: Final = "openslo/v1"
ANNOTATION_PREFIX: Final = "relpolicy.dev/"
INDICATOR_TYPE: Final = ANNOTATION_PREFIX + "indicator-type"
LATENCY_THRESHOLD: Final = ANNOTATION_PREFIX + "latency-threshold"
SLA: Final = ANNOTATION_PREFIX + "sla"
MAINTENANCE_COUNTS: Final = ANNOTATION_PREFIX + "maintenance-counts-against-budget"
CALENDAR_DURATIONS: Final = {"month": "1M", "quarter": "1Q", "year": "1Y"}
CALENDAR_START: Final = "2020-01-01 00:00:00"
"""A midnight on the first of a year: the start of a month, a quarter and a year alike."""
CALENDAR_ZONE: Final = "UTC"
MAX_DESCRIPTION: Final = 1050
"""OpenSLO's limit on a ``description``."""
MAX_DISPLAY_NAME: Final = 63
"""The OpenSLO validator's (oslo) limit on ``metadata.displayName``."""
PROMETHEUS: Final = "Prometheus"


@dataclass(frozen=True, slots=True)
class OpenSLOExport:
    """What ``export openslo`` made of a policy set: documents by service, in order."""

    documents: dict[str, list[dict[str, Any]]]
    """Per service (sorted): its ``Service`` document, then its SLOs sorted by name."""
    unmeasured: tuple[str, ...]
    """SLOs left out: no ``indicator.prometheus``, so no metric for an OpenSLO SLI."""
    notes: tuple[Note, ...]


def ratio(percent: Decimal) -> float:
    """An objective in percent as OpenSLO's ``target`` ratio: 99.9 -> 0.999 (exactly, then as a float)."""
    return float(percent.scaleb(-2))


def _metadata(resource: Resource, policy: PolicySet, notes: list[Note]) -> dict[str, Any]:
    meta: Metadata = resource.metadata
    out: dict[str, Any] = {"name": meta.name}
    if meta.display_name is not None:
        if len(meta.display_name) > MAX_DISPLAY_NAME:
            notes.append(
                Note(
                    policy.locate(resource, "metadata", "displayName"),
                    f"{resource.KIND} `{meta.name}`: displayName has {len(meta.display_name)} characters, "
                    f"more than OpenSLO validators take ({MAX_DISPLAY_NAME}); not exported",
                )
            )
        else:
            out["displayName"] = meta.display_name
    labels: dict[str, str] = {}
    for key, value in meta.labels.items():
        if "/" in key:
            notes.append(
                Note(
                    policy.locate(resource, "metadata", "labels", key, key=True),
                    f"{resource.KIND} `{meta.name}`: label `{key}` has a prefix, which OpenSLO label keys "
                    "cannot have; not exported",
                )
            )
        else:
            labels[key] = value
    if labels:
        out["labels"] = labels
    annotations = {k: v for k, v in meta.annotations.items() if not k.startswith(ANNOTATION_PREFIX)}
    if annotations:
        out["annotations"] = annotations
    return out


def _description(text: str | None, resource: Resource, policy: PolicySet, notes: list[Note], *path: str) -> str | None:
    if text is None or len(text) <= MAX_DESCRIPTION:
        return text
    notes.append(
        Note(
            policy.locate(resource, *path),
            f"{resource.KIND} `{resource.name}`: the description has {len(text):,} characters, more than "
            f"OpenSLO's {MAX_DESCRIPTION}; not exported",
        )
    )
    return None


def _source(query: str) -> dict[str, Any]:
    return {"metricSource": {"type": PROMETHEUS, "spec": {"query": query}}}


def ratio_metric(measurement: Measurement) -> dict[str, Any]:
    """The SLI's ``ratioMetric`` for a measurement: bad/total events, or a raw failure ratio."""
    if measurement.error_ratio_query is not None:
        return {"counter": False, "rawType": "failure", "raw": _source(measurement.error_ratio_query)}
    assert measurement.error_query is not None  # noqa: S101 - the model requires one of the two forms
    assert measurement.total_query is not None  # noqa: S101
    return {"counter": True, "bad": _source(measurement.error_query), "total": _source(measurement.total_query)}


def time_window(window: str) -> list[dict[str, Any]]:
    """OpenSLO's ``timeWindow`` (a list of exactly one item) for a relpolicy ``timeWindow``."""
    if window in CALENDAR_DURATIONS:
        return [
            {
                "duration": CALENDAR_DURATIONS[window],
                "calendar": {"startTime": CALENDAR_START, "timeZone": CALENDAR_ZONE},
                "isRolling": False,
            }
        ]
    return [{"duration": window, "isRolling": True}]


def _slo(slo: SLO, measurement: Measurement, policy: PolicySet, notes: list[Note]) -> dict[str, Any]:
    spec = slo.spec
    metadata = _metadata(slo, policy, notes)
    annotations: dict[str, str] = dict(metadata.get("annotations", {}))
    annotations[INDICATOR_TYPE] = spec.indicator.type
    if isinstance(spec.indicator, LatencyIndicator):
        annotations[LATENCY_THRESHOLD] = f"{int(spec.indicator.threshold.total_seconds() * 1000)}ms"
    if spec.sla is not None:
        annotations[SLA] = f"{spec.sla.normalize():f}"
    if spec.maintenance_counts_against_budget:
        annotations[MAINTENANCE_COUNTS] = "true"
    metadata["annotations"] = dict(sorted(annotations.items()))
    indicator_spec: dict[str, Any] = {}
    description = _description(spec.indicator.description, slo, policy, notes, "spec", "indicator", "description")
    if description is not None:
        indicator_spec["description"] = description
    indicator_spec["ratioMetric"] = ratio_metric(measurement)
    out_spec: dict[str, Any] = {}
    slo_description = _description(spec.description, slo, policy, notes, "spec", "description")
    if slo_description is not None:
        out_spec["description"] = slo_description
    out_spec["service"] = spec.service
    out_spec["indicator"] = {"metadata": {"name": f"{slo.name}-sli"[:63].rstrip("-")}, "spec": indicator_spec}
    out_spec["timeWindow"] = time_window(spec.time_window)
    out_spec["budgetingMethod"] = "Occurrences"
    out_spec["objectives"] = [{"target": ratio(spec.objective)}]
    return {"apiVersion": API_VERSION, "kind": "SLO", "metadata": metadata, "spec": out_spec}


def _service(service: Service, policy: PolicySet, notes: list[Note]) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    description = _description(service.spec.description, service, policy, notes, "spec", "description")
    if description is not None:
        spec["description"] = description
    return {"apiVersion": API_VERSION, "kind": "Service", "metadata": _metadata(service, policy, notes), "spec": spec}


def export_openslo(policy: PolicySet) -> OpenSLOExport:
    """The OpenSLO documents of every measured SLO in ``policy`` and of their services."""
    documents: dict[str, list[dict[str, Any]]] = {}
    unmeasured: list[str] = []
    notes: list[Note] = []
    for slo in sorted(policy.slos, key=lambda s: (s.spec.service, s.name)):
        measurement = slo.spec.indicator.prometheus
        if measurement is None:
            unmeasured.append(slo.name)
            continue
        if slo.spec.service not in documents:
            service = policy.get(Service, slo.spec.service)
            documents[slo.spec.service] = [] if service is None else [_service(service, policy, notes)]
        documents[slo.spec.service].append(_slo(slo, measurement, policy, notes))
    return OpenSLOExport(documents, tuple(unmeasured), tuple(notes))


class _Dumper(yaml.SafeDumper):
    """Block style, keys in the order given, multi-line strings as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value and not value.endswith((" ", "\n")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_documents(documents: Iterable[dict[str, Any]]) -> str:
    """A multi-document YAML stream, each document started by ``---``."""
    return "".join(
        "---\n" + yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000)
        for document in documents
    )


def documents_file(exported: OpenSLOExport) -> str:
    """Every document in one stream, by service."""
    return dump_documents(document for documents in exported.documents.values() for document in documents)


def files_by_service(exported: OpenSLOExport) -> dict[str, str]:
    """One ``<service>.yaml`` per service with its documents."""
    return {f"{service}.yaml": dump_documents(documents) for service, documents in exported.documents.items()}
