"""Reading a policy tree for rendering: the check pipeline's first stages, without the rules.

Rendering needs the resources and the graph, not the findings. Documents that cannot be read or
validated are left out (``relpolicy check`` reports them); how many problems there were is kept
so that the command line can say the documents may be incomplete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from relpolicy.errors import RelpolicyError
from relpolicy.model.build import build, did_you_mean
from relpolicy.model.service import Service
from relpolicy.policy import PolicySet, assemble
from relpolicy.source.loader import discover, load


@dataclass(frozen=True, slots=True)
class LoadedPolicy:
    """The policy set read from some roots, and how many problems reading it found."""

    policy: PolicySet
    problems: int
    """Files, documents or names that could not be used (the findings RP1xx of ``check``)."""
    files: int


def load_policy(paths: Sequence[Path], base: Path | None = None, exclude: Sequence[str] = ()) -> LoadedPolicy:
    """Load, build and assemble every policy document under ``paths`` (but ``exclude``); no rule runs."""
    files = discover(paths, exclude)
    loaded = load(files, base)
    built = build(loaded.documents)
    policy, duplicates = assemble(built)
    return LoadedPolicy(policy, len(loaded.problems) + len(built.problems) + len(duplicates), len(files))


def find_service(policy: PolicySet, name: str) -> str:
    """``name`` when it is a valid service; else a RelpolicyError with a suggestion."""
    if policy.get(Service, name) is not None:
        return name
    known = policy.names("Service")
    invalid = " (its document is not valid: run `relpolicy check`)" if name in known else ""
    hint = "" if invalid else did_you_mean(name, known)
    msg = f"no service `{name}`{invalid}{hint}"
    raise RelpolicyError(msg)
