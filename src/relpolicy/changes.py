"""``--changed-since REF``: keep the findings a change is responsible for.

A pull request should fail on what it broke, not on what was already broken elsewhere. The whole
tree is always checked (a dependency removed in one file breaks a promise in another), then the
findings are narrowed to:

- every finding in a file changed since REF (``git diff`` against the merge base of REF and HEAD,
  as a pull request's diff is computed, plus untracked files), and
- every finding elsewhere whose identity (rule id and line-independent subject) did not exist at
  the merge base: the policy tree as it was there is checked too, from ``git archive``.

This module is an edge of the pipeline: it runs git and reads its output; the check itself is
passed in, so that it runs with the same options as the check it narrows.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from relpolicy.engine import Report
from relpolicy.errors import RelpolicyError
from relpolicy.source.loader import CONFIG_FILE_NAMES, POLICY_SUFFIXES

Recheck = Callable[[Sequence[Path], Path], Report]
"""Check these roots with display paths relative to this base, as the narrowed check did."""


@dataclass(frozen=True, slots=True)
class Narrowed:
    """A report narrowed to a change, and what was left out."""

    report: Report
    base_commit: str
    changed_files: int
    """Policy files under the checked roots that changed, were added or were deleted (other files do not count)."""
    hidden: int
    """Findings outside the changed files that already existed at the base commit."""

    def describe(self, ref: str) -> str:
        """One line for the log: how much changed and how many findings were left out."""
        files = "policy file" if self.changed_files == 1 else "policy files"
        findings = "finding" if self.hidden == 1 else "findings"
        return (
            f"{self.changed_files} {files} changed since {ref}; "
            f"left out: {self.hidden} older {findings} in unchanged files"
        )


def _git(args: Sequence[str], cwd: Path, *, strict: bool = True) -> subprocess.CompletedProcess[bytes]:
    """Run git; with ``strict``, a failure is a one-line error quoting git's first line."""
    try:
        # git from PATH, as the user runs it; arguments are a list, never a shell string.
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)  # noqa: S603, S607
    except FileNotFoundError:
        msg = "--changed-since needs git, and no `git` command was found"
        raise RelpolicyError(msg) from None
    if done.returncode != 0 and strict:
        first = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["failed"])[0]
        msg = f"git {args[0]}: {first}"
        raise RelpolicyError(msg)
    return done


def repository_root(cwd: Path) -> Path:
    """The top of the git work tree that holds ``cwd``."""
    done = _git(["rev-parse", "--show-toplevel"], cwd, strict=False)
    if done.returncode != 0:
        msg = f"--changed-since needs a git repository, and {cwd} is not inside one"
        raise RelpolicyError(msg)
    return Path(done.stdout.decode("utf-8", "surrogateescape").strip())


def base_commit(ref: str, top: Path) -> str:
    """The commit to compare with: the merge base of ``ref`` and HEAD, else ``ref`` itself."""
    done = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], top, strict=False)
    if done.returncode != 0:
        msg = f"--changed-since: unknown git revision `{ref}`"
        raise RelpolicyError(msg)
    commit = done.stdout.decode().strip()
    merge_base = _git(["merge-base", commit, "HEAD"], top, strict=False)
    return merge_base.stdout.decode().strip() if merge_base.returncode == 0 else commit


def _split(output: bytes) -> list[str]:
    return [name for name in output.decode("utf-8", "surrogateescape").split("\0") if name]


def changed_paths(commit: str, top: Path) -> set[Path]:
    """Files that differ from ``commit`` in the work tree (staged or not), and untracked files."""
    diff = _git(["diff", "--name-only", "--no-renames", "-z", commit, "--"], top).stdout
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top).stdout
    return {(top / name).resolve() for name in [*_split(diff), *_split(untracked)]}


def is_policy_file(path: Path, roots: Sequence[Path]) -> bool:
    """Whether ``check`` of ``roots`` (resolved) reads ``path``, or would had it not been deleted.

    A root that is a file is read whatever its name; under a directory the loader's rules apply:
    a ``.yaml``/``.yml`` name that is not a settings file, in no hidden directory.
    """
    for root in roots:
        if path == root:
            return True
        if root not in path.parents:
            continue
        hidden = any(folder.startswith(".") for folder in path.relative_to(root).parts[:-1])
        if path.name.endswith(POLICY_SUFFIXES) and path.name not in CONFIG_FILE_NAMES and not hidden:
            return True
    return False


def _inside(path: Path, top: Path) -> Path:
    try:
        return path.resolve().relative_to(top)
    except ValueError:
        msg = f"{path}: --changed-since can only check paths inside the git repository at {top}"
        raise RelpolicyError(msg) from None


_BLOCK = 512


def extract_tree(commit: str, top: Path, relative_roots: Sequence[Path], into: Path) -> list[Path]:
    """Write the roots as they were at ``commit`` under ``into`` (from ``git archive``); returns those that existed.

    Only regular files and folders are written (see :func:`unpack`): a link committed in the tree is
    left out, as the loader would refuse one that leaves its root. :mod:`tarfile` is not used: it
    cost as much as a whole check at 10,000 services.
    """
    existing = [
        root
        for root in relative_roots
        if root == Path() or _git(["cat-file", "-e", f"{commit}:{root.as_posix()}"], top, strict=False).returncode == 0
    ]
    if existing:
        unpack(_git(["archive", "--format=tar", commit, "--", *(r.as_posix() for r in existing)], top).stdout, into)
    return [into / root for root in existing]


def unpack(archive: bytes, into: Path) -> int:
    """Write the regular files and directories of a tar archive (as ``git archive`` makes it) under ``into``.

    Links, devices and any member whose name is absolute or has a ``..`` part are skipped, and a
    file is never written over an existing one (``O_EXCL``), so nothing is written outside
    ``into``. Long names come from pax ``path`` records. Returns how many files were written.
    """
    view = memoryview(archive)
    position, written, long_name = 0, 0, None
    made: set[Path] = set()
    while position + _BLOCK <= len(archive):
        header = archive[position : position + _BLOCK]
        if not header.strip(b"\0"):
            break
        size_field = header[124:136].strip(b"\0 ")
        size = int(size_field, 8) if size_field.isdigit() else 0
        kind = header[156:157]
        body = position + _BLOCK
        position = body + (size + _BLOCK - 1) // _BLOCK * _BLOCK
        if kind in {b"x", b"g"}:  # pax records: only a member's own `path` matters
            if kind == b"x":
                long_name = _pax_path(bytes(view[body : body + size]))
            continue
        name = header[:100].split(b"\0", 1)[0]
        prefix = header[345:500].split(b"\0", 1)[0]
        path = long_name or (prefix + b"/" + name if prefix else name)
        long_name = None
        parts = [part for part in os.fsdecode(path).split("/") if part not in {"", "."}]
        if not parts or ".." in parts or kind not in {b"0", b"\0", b"5"}:
            continue
        try:
            written += _write(into.joinpath(*parts), view[body : body + size], made, is_directory=kind == b"5")
        except OSError:  # a name twice, or a file where a folder should be: the first one stays
            continue
    return written


def _write(target: Path, content: memoryview, made: set[Path], *, is_directory: bool) -> int:
    """Make a directory (0 files) or write a new file (1) at ``target``; never over an existing file."""
    if is_directory:
        target.mkdir(parents=True, exist_ok=True)
        made.add(target)
        return 0
    if target.parent not in made:
        target.parent.mkdir(parents=True, exist_ok=True)
        made.add(target.parent)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        while content:
            content = content[os.write(descriptor, content) :]
    finally:
        os.close(descriptor)
    return 1


def _pax_path(records: bytes) -> bytes | None:
    """The ``path`` of pax extended-header records (``LENGTH path=VALUE\\n``), if any."""
    found = None
    at = 0
    while at < len(records):
        space = records.find(b" ", at)
        if space <= at or not records[at:space].isdigit():
            break
        length = int(records[at:space])
        record = records[space + 1 : at + length - 1]
        if record.startswith(b"path="):
            found = record[len(b"path=") :]
        at += length
    return found


def narrow(ref: str, report: Report, roots: Sequence[Path], recheck: Recheck, cwd: Path | None = None) -> Narrowed:
    """The findings of ``report`` (a check of ``roots`` from ``cwd``) that the change since ``ref`` caused."""
    cwd = (cwd or Path.cwd()).resolve()
    top = repository_root(cwd).resolve()
    commit = base_commit(ref, top)
    relative_roots = [_inside(root if root.is_absolute() else cwd / root, top) for root in roots]
    changed = changed_paths(commit, top)
    policy_roots = [top / root for root in relative_roots]
    with tempfile.TemporaryDirectory(prefix="relpolicy-base-") as scratch:
        old_top = Path(scratch)
        old_roots = extract_tree(commit, top, relative_roots, old_top)
        old_base = old_top / _inside(cwd, top)
        old_report = recheck(old_roots, old_base) if old_roots else None
    existed = {(f.rule_id, f.subject) for f in old_report.findings} if old_report else set()
    kept = tuple(
        f
        for f in report.findings
        if (cwd / f.location.path).resolve() in changed or (f.rule_id, f.subject) not in existed
    )
    return Narrowed(
        report=dataclasses.replace(report, findings=kept),
        base_commit=commit,
        changed_files=sum(1 for path in changed if is_policy_file(path, policy_roots)),
        hidden=len(report.findings) - len(kept),
    )
