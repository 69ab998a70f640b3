"""relpolicy: reliability policy as code.

The library API: :func:`check` a policy tree and get a :class:`Report` of findings. Names are
imported on first use, so that ``relpolicy --version`` and other light commands start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from relpolicy.engine import Report, check
    from relpolicy.errors import RelpolicyError
    from relpolicy.findings import Finding, Location, Related, Severity

_EXPORTS = {
    "Finding": "relpolicy.findings",
    "Location": "relpolicy.findings",
    "Related": "relpolicy.findings",
    "Severity": "relpolicy.findings",
    "RelpolicyError": "relpolicy.errors",
    "Report": "relpolicy.engine",
    "check": "relpolicy.engine",
}

__all__ = ["Finding", "Location", "Related", "RelpolicyError", "Report", "Severity", "__version__", "check"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    msg = f"module 'relpolicy' has no attribute {name!r}"
    raise AttributeError(msg)
