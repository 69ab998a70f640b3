"""relpolicy: reliability policy as code.

The library API, everything listed in ``__all__`` (see the README's "Library" section):

- :func:`check` a policy tree and get a :class:`Report` of :class:`Finding` values, which
  :func:`format_text`, :func:`format_json`, :func:`format_sarif`, :func:`format_github` and
  :func:`format_junit` turn into the reports of ``relpolicy check --format``;
- :func:`load_policy` to read a tree without checking it, then :func:`render_runbooks`,
  :func:`render_sla` and :func:`render_graph` for the generated documents, :func:`impact` for the
  blast radius of an outage and :func:`deadline` for an incident's due times.

Paths may be ``str`` or ``os.PathLike``. Names are imported on first use, so that
``relpolicy --version`` and other light commands start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from relpolicy._version import __version__

if TYPE_CHECKING:
    from relpolicy._api import (
        PathArg,
        PathArgs,
        check,
        deadline,
        format_github,
        format_json,
        format_junit,
        format_sarif,
        format_text,
        impact,
        load_policy,
        load_settings,
        render_graph,
        render_runbooks,
        render_sla,
    )
    from relpolicy.chrono.deadline import Deadlines, Due
    from relpolicy.config import Settings
    from relpolicy.engine import Report
    from relpolicy.errors import RelpolicyError
    from relpolicy.findings import Finding, Location, Related, Severity
    from relpolicy.policy import PolicySet
    from relpolicy.render.impact import Affected, BlastRadius
    from relpolicy.render.load import LoadedPolicy

_EXPORTS = {
    "Affected": "relpolicy.render.impact",
    "BlastRadius": "relpolicy.render.impact",
    "Deadlines": "relpolicy.chrono.deadline",
    "Due": "relpolicy.chrono.deadline",
    "Finding": "relpolicy.findings",
    "LoadedPolicy": "relpolicy.render.load",
    "Location": "relpolicy.findings",
    "PathArg": "relpolicy._api",
    "PathArgs": "relpolicy._api",
    "PolicySet": "relpolicy.policy",
    "Related": "relpolicy.findings",
    "RelpolicyError": "relpolicy.errors",
    "Report": "relpolicy.engine",
    "Settings": "relpolicy.config",
    "Severity": "relpolicy.findings",
    "check": "relpolicy._api",
    "deadline": "relpolicy._api",
    "format_github": "relpolicy._api",
    "format_json": "relpolicy._api",
    "format_junit": "relpolicy._api",
    "format_sarif": "relpolicy._api",
    "format_text": "relpolicy._api",
    "impact": "relpolicy._api",
    "load_policy": "relpolicy._api",
    "load_settings": "relpolicy._api",
    "render_graph": "relpolicy._api",
    "render_runbooks": "relpolicy._api",
    "render_sla": "relpolicy._api",
}

__all__ = [
    "Affected",
    "BlastRadius",
    "Deadlines",
    "Due",
    "Finding",
    "LoadedPolicy",
    "Location",
    "PathArg",
    "PathArgs",
    "PolicySet",
    "Related",
    "RelpolicyError",
    "Report",
    "Settings",
    "Severity",
    "__version__",
    "check",
    "deadline",
    "format_github",
    "format_json",
    "format_junit",
    "format_sarif",
    "format_text",
    "impact",
    "load_policy",
    "load_settings",
    "render_graph",
    "render_runbooks",
    "render_sla",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    msg = f"module 'relpolicy' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
