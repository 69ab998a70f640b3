"""The two sides of a diff: a policy tree read from a directory, the working tree or a git revision.

A side is checked as ``relpolicy check`` checks it (the same loader, models, assembly, rules,
settings and inline suppressions), and the policy set and graph the rules used are kept, so that
the promises are computed from exactly what was checked. A side that does not load is not an
error: its problems are findings, and what loaded is compared.

A git revision is read with ``git archive`` into a temporary directory (with the git helpers of
``--changed-since``), never by checking it out; the work tree is left alone. The archive is
unpacked by :func:`unpack`, not :mod:`tarfile`: on a 10,000-service repository ``tarfile``'s
``extractall`` takes ~3.5 s of CPU, as much as the check itself, and :func:`unpack` ~0.05 s
plus the system's cost of writing the files. It writes regular files and directories only,
never outside the directory.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from relpolicy.changes import _git, _inside, extract_tree
from relpolicy.config import Settings
from relpolicy.engine import collector_paused, rate
from relpolicy.errors import RelpolicyError
from relpolicy.findings import Finding
from relpolicy.graph import ServiceGraph
from relpolicy.model.build import build
from relpolicy.policy import PolicySet, assemble
from relpolicy.rules import RULES, RuleContext, lookup
from relpolicy.source.cache import ParseCache
from relpolicy.source.loader import discover, load
from relpolicy.source.parse import ParseResult
from relpolicy.suppressions import apply_suppressions

WORKING_TREE = "working tree"
"""How the side read from the files on disk is named when no HEAD is given."""


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a diff: what was read, the policy set and graph built from it, and its findings."""

    label: str
    """The revision or directory as the user wrote it, or ``working tree``."""
    policy: PolicySet
    graph: ServiceGraph
    findings: tuple[Finding, ...]
    files: int
    settings: Settings
    as_of: dt.date
    sources: dict[str, str] = field(default_factory=dict, repr=False)
    """The text of every file read, by display path: files equal on both sides need no comparison."""


class SharedParses(ParseCache):
    """Parse results kept in memory for the other side: a file with the same display path and bytes
    on both sides (most files of a pull request) is parsed once per diff.

    Parsing does not change with the side, and nothing after it changes what it made (the models
    are built from the plain data), so both sides may hold the same documents; the comparison
    then finds them equal at once. Behind it, the on-disk cache when one is configured.
    """

    def __init__(self, behind: ParseCache | None = None) -> None:
        super().__init__(Path(os.devnull))  # never used: every method that would touch the disk is overridden
        self._behind = behind
        self._seen: dict[str, tuple[bytes, ParseResult]] = {}

    def get(self, shown: str, content: bytes, text: str) -> ParseResult | None:
        """The result for these bytes under this name, from this diff or else the on-disk cache."""
        found = self._seen.get(shown)
        if found is not None and found[0] == content:
            self.hits += 1
            return found[1]
        result = self._behind.get(shown, content, text) if self._behind is not None else None
        if result is None:
            self.misses += 1
        else:
            self.hits += 1
            self._seen[shown] = (content, result)
        return result

    def put(self, shown: str, content: bytes, result: ParseResult) -> None:
        """Keep what parsing gave, here and in the on-disk cache."""
        self._seen[shown] = (content, result)
        if self._behind is not None:
            self._behind.put(shown, content, result)

    def save(self) -> None:
        """Save the on-disk cache, if any (what is kept here lasts for this diff only)."""
        if self._behind is not None:
            self._behind.save()


def check_side(  # noqa: PLR0913 - keyword-only options of one operation
    label: str,
    roots: Sequence[Path],
    *,
    as_of: dt.date,
    settings: Settings,
    base: Path | None = None,
    cache: ParseCache | None = None,
) -> Side:
    """Check ``roots`` as ``relpolicy check`` does, keeping the policy set and graph the rules used.

    With a ``cache``, files parsed before (on the other side, or by an earlier check) are not parsed again.
    """
    with collector_paused():
        return _check_side(label, roots, as_of=as_of, settings=settings, base=base, cache=cache)


def _check_side(  # noqa: PLR0913 - as check_side
    label: str,
    roots: Sequence[Path],
    *,
    as_of: dt.date,
    settings: Settings,
    base: Path | None,
    cache: ParseCache | None,
) -> Side:
    files = discover(roots, settings.exclude)
    loaded = load(files, base, cache)
    built = build(loaded.documents, sources=loaded.sources)
    policy, duplicates = assemble(built)
    context = RuleContext(policy, as_of, settings)
    problems = [*loaded.problems, *built.problems, *duplicates]
    for rule in RULES:
        if rule.check is not None and settings.runs(rule.id):
            problems.extend(rule.check(context))
    findings = [f for f in rate(problems, settings) if settings.reports(f.location.path, f.rule_id)]
    findings, suppression_problems, _ = apply_suppressions(findings, loaded.sources, _rule_id, settings.reports)
    findings += [f for f in rate(suppression_problems, settings) if settings.reports(f.location.path, f.rule_id)]
    return Side(
        label=label,
        policy=policy,
        graph=context.graph,
        findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
        files=len(files) + len(files.refused),
        settings=settings,
        as_of=as_of,
        sources=loaded.sources,
    )


def _rule_id(key: str) -> str | None:
    try:
        return lookup(key).id
    except RelpolicyError:
        return None


@dataclass(frozen=True, slots=True)
class Source:
    """Where a side is read from: a directory, the working tree (``None``), or a git revision."""

    text: str | None

    @property
    def label(self) -> str:
        """What the reports call the side."""
        return WORKING_TREE if self.text is None else self.text


def _is_directory(text: str | None, cwd: Path) -> bool:
    return text is not None and (cwd / text).is_dir()


def _commit(revision: str, top: Path) -> str:
    """The commit a revision names; a one-line error when it names none."""
    done = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"], top, strict=False)
    if done.returncode != 0:
        msg = f"diff: `{revision}` is neither a directory nor a git revision"
        raise RelpolicyError(msg)
    return done.stdout.decode().strip()


def _top(cwd: Path, revision: str) -> Path:
    done = _git(["rev-parse", "--show-toplevel"], cwd, strict=False)
    if done.returncode != 0:
        msg = f"diff: `{revision}` is not a directory, and {cwd} is not in a git repository to read it from"
        raise RelpolicyError(msg)
    return Path(done.stdout.decode("utf-8", "surrogateescape").strip()).resolve()


@contextmanager
def opened(  # noqa: PLR0913 - keyword-only options of one operation
    source: Source,
    paths: Sequence[Path],
    *,
    cwd: Path,
    as_of: dt.date,
    settings: Settings,
    cache: ParseCache | None = None,
) -> Iterator[Side]:
    """Check one side; a git revision is extracted to a temporary directory for the duration.

    ``paths`` are the policy roots relative to ``cwd`` (files or directories). In a directory
    side they are read relative to the directory; a directory side with no ``paths`` is the
    directory itself.
    """
    cwd = cwd.resolve()
    if source.text is None:
        yield check_side(source.label, paths, as_of=as_of, settings=settings, base=cwd, cache=cache)
        return
    if _is_directory(source.text, cwd):
        folder = (cwd / source.text).resolve()
        roots = [folder / path for path in paths] if paths else [folder]
        yield check_side(source.label, roots, as_of=as_of, settings=settings, base=folder, cache=cache)
        return
    top = _top(cwd, source.text)
    commit = _commit(source.text, top)
    relative = [_inside(path if path.is_absolute() else cwd / path, top) for path in paths]
    with tempfile.TemporaryDirectory(prefix="relpolicy-diff-") as scratch:
        into = Path(scratch)
        roots = extract_tree(commit, top, relative, into)
        base = into / _inside(cwd, top)
        yield check_side(source.label, roots, as_of=as_of, settings=settings, base=base, cache=cache)
