"""The rule framework: rule metadata, the context rules read, and the ``@rule`` decorator.

A rule is frozen metadata plus a generator of problems. Its docstring has a fixed shape, read by
``relpolicy explain``, ``relpolicy rules`` and ``docs/rules.md``::

    Why the rule exists, in one or more paragraphs.

    Failing example:

        <a complete policy, indented, that triggers the rule>

    Passing example:

        <the same policy, fixed>

The examples are executed by the test suite, so the documentation cannot drift from the code.
Rules that the pipeline itself reports (RP1xx, found while loading) are declared with
:func:`declare` and have no check function.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Final

from relpolicy.findings import Problem, Severity
from relpolicy.policy import PolicySet
from relpolicy.settings import Settings

if TYPE_CHECKING:
    from relpolicy.graph import ServiceGraph
    from relpolicy.model.service import Recovery, Service

CRITICAL_TIERS: Final = (1, 2)
"""The tiers held to a stricter standard: restore steps, a patch policy, an escalation path."""

RULE_ID_PATTERN = re.compile(r"^RP[1-9][0-9]{2}$")
RULE_NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_SECTION = re.compile(r"^(Failing|Passing) example:\s*$", re.MULTILINE)


@dataclass(frozen=True)
class RuleContext:
    """What a rule may read: the policy set, the date the check is made as of, the settings, and
    the dependency graph with its propagated facts (built on first use, shared by every rule)."""

    policy: PolicySet
    as_of: dt.date
    settings: Settings = field(default_factory=Settings)

    @cached_property
    def graph(self) -> ServiceGraph:
        """The dependency graph of the policy set."""
        from relpolicy.graph import ServiceGraph  # noqa: PLC0415 - `rules` and `explain` never build a graph

        return ServiceGraph(self.policy)

    # Selections several rules start from, made once: on a large catalogue each pass over every
    # service's model costs more than the test the rule then makes.

    @cached_property
    def critical_services(self) -> list[Service]:
        """The services of the :data:`CRITICAL_TIERS`, in name order."""
        return [service for service in self.policy.services if service.spec.tier in CRITICAL_TIERS]

    @cached_property
    def recoveries(self) -> list[tuple[Service, Recovery]]:
        """Every service that declares recovery objectives, with them, in name order."""
        return [
            (service, recovery) for service in self.policy.services if (recovery := service.spec.recovery) is not None
        ]


Check = Callable[[RuleContext], Iterable[Problem]]


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """A rule's documentation, split from its docstring."""

    rationale: str
    failing: str
    passing: str


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule: stable id, kebab-case name, default severity, summary, docs, and its check."""

    id: str
    name: str
    severity: Severity
    summary: str
    doc: RuleDoc
    check: Check | None = None
    """None for rules that loading reports (RP1xx)."""
    facts: tuple[str, ...] = ()
    """The ServiceGraph facts the check reads (``ceilings``, ``slowest_recovery``...), for the docs."""
    fix: str = ""
    """What ``check --fix`` changes for this rule's findings (those it attaches a fix to); empty when nothing."""


def parse_doc(docstring: str | None, where: str, background: str = "") -> RuleDoc:
    """Split a rule docstring into rationale, failing example and passing example.

    ``background`` is YAML both examples need but that is not their point (the team that owns
    the services); it is appended to each example as further documents.
    """
    text = inspect.cleandoc(docstring or "")
    parts = _SECTION.split(text)
    if len(parts) != 5 or parts[1] != "Failing" or parts[3] != "Passing":
        msg = f"{where}: the docstring needs a rationale, then 'Failing example:' and 'Passing example:' sections"
        raise ValueError(msg)
    rationale, _, failing, _, passing = parts
    extra = f"---\n{textwrap.dedent(background).strip()}\n" if background.strip() else ""
    return RuleDoc(
        rationale.strip(),
        textwrap.dedent(failing).strip() + "\n" + extra,
        textwrap.dedent(passing).strip() + "\n" + extra,
    )


def _validate(rule_id: str, name: str) -> None:
    if not RULE_ID_PATTERN.match(rule_id) or not RULE_NAME_PATTERN.match(name):
        msg = f"bad rule id or name: {rule_id} {name}"
        raise ValueError(msg)


def rule(  # noqa: PLR0913 - keyword-only metadata
    *,
    id: str,  # noqa: A002 - the catalogue calls it id
    name: str,
    severity: Severity,
    summary: str,
    background: str = "",
    facts: tuple[str, ...] = (),
    fix: str = "",
) -> Callable[[Check], Rule]:
    """Declare a rule whose check is the decorated function (its docstring is the doc).

    ``background``: YAML documents appended to both examples (see :func:`parse_doc`).
    ``facts``: the graph facts the check reads; each must be a ServiceGraph attribute.
    ``fix``: what ``check --fix`` does for the findings the check attaches a :class:`~relpolicy.fixes.Fix` to.
    """
    _validate(id, name)

    def decorate(check: Check) -> Rule:
        return Rule(id, name, severity, summary, parse_doc(check.__doc__, id, background), check, facts, fix)

    return decorate


def declare(  # noqa: PLR0913 - keyword-only metadata
    *,
    id: str,  # noqa: A002
    name: str,
    severity: Severity,
    summary: str,
    doc: str,
    fix: str = "",
) -> Rule:
    """Declare a rule that the loading pipeline reports itself (``fix``: as for :func:`rule`)."""
    _validate(id, name)
    return Rule(id, name, severity, summary, parse_doc(doc, id), fix=fix)
