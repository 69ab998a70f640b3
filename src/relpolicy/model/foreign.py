"""Documents of other tools that sit in policy trees: OpenSLO, Sloth, Backstage, Kubernetes.

A policy repository often keeps them beside the policies. They are not policy documents, and
not mistakes either: :func:`foreign_format` recognises them by their ``apiVersion`` (Sloth's
plain specs by ``version: prometheus/v1``), so that ``check`` reports them as RP107 (info), saying
what reads them, instead of an RP104 error. Only exact, well-known versions and API groups are
recognised, so a typo of ``relpolicy.dev/v1`` stays an RP104 error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True, slots=True)
class ForeignFormat:
    """What a foreign document is, where its version is written, and what to do with it."""

    name: str
    """``an OpenSLO document``."""
    key: str
    """The key that says so: ``apiVersion``, or ``version`` for a Sloth spec."""
    advice: str


_OPENSLO_V1: Final = "`relpolicy import openslo FILE --out DIR` reads it"
_KUBERNETES: Final = re.compile(
    r"^(v1|(apps|batch|autoscaling|policy)/v[0-9]+(alpha[0-9]+|beta[0-9]+)?"
    r"|[a-z0-9.-]+\.k8s\.io/v[0-9]+(alpha[0-9]+|beta[0-9]+)?"
    r"|monitoring\.coreos\.com/v[0-9]+(alpha[0-9]+|beta[0-9]+)?)$"
)
_EXCLUDE: Final = "or leave it out of the policy tree with the `exclude` setting"


def foreign_format(data: Any) -> ForeignFormat | None:
    """The foreign format of a parsed document (a mapping), or None when it is not a known one."""
    if not isinstance(data, dict):
        return None
    api_version = data.get("apiVersion")
    if api_version is None and data.get("version") == "prometheus/v1" and "slos" in data:
        return ForeignFormat(
            "a Sloth spec (prometheus/v1)", "version", "`relpolicy import sloth FILE --out DIR` reads it"
        )
    if not isinstance(api_version, str):
        return None
    if api_version == "openslo/v1":
        return ForeignFormat(f"an OpenSLO v1 {_kind(data)}", "apiVersion", _OPENSLO_V1)
    if api_version.startswith("openslo/"):
        return ForeignFormat(
            f"an OpenSLO {api_version.removeprefix('openslo/')} {_kind(data)}",
            "apiVersion",
            "convert it to openslo/v1 (`oslo convert`), then `relpolicy import openslo` reads it",
        )
    if api_version == "sloth.slok.dev/v1":
        return ForeignFormat(f"a Sloth {_kind(data)}", "apiVersion", "`relpolicy import sloth FILE --out DIR` reads it")
    if api_version.startswith("backstage.io/"):
        return ForeignFormat(f"a Backstage catalog {_kind(data)}", "apiVersion", "relpolicy does not import it")
    if _KUBERNETES.match(api_version):
        return ForeignFormat(f"a Kubernetes {_kind(data)}", "apiVersion", "relpolicy does not import it")
    return None


def _kind(data: dict[str, Any]) -> str:
    kind = data.get("kind")
    return f"`{kind}`" if isinstance(kind, str) and kind.isidentifier() and len(kind) <= 63 else "document"


def message(found: ForeignFormat) -> str:
    """The RP107 message: what the document is and what reads it."""
    return f"{found.name}, not a relpolicy policy document: {found.advice}, {_EXCLUDE}"
