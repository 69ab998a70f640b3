"""Parse results kept between runs, so that a repeated ``check`` re-parses only the files that changed.

Pre-commit hooks and editors check the same repository again and again; parsing is the largest
share of a check (docs/performance.md), and a file that has not changed parses to the same data.
What is kept per file is what parsing produced: the documents' plain data and the parse
problems. Positions are not kept: a hit gets a :class:`PositionIndex` that re-parses the file
the first time a finding needs a location, exactly as the uncached fast path does.

An entry is used only when all of these hold, else it is a miss and the file is parsed again:

- the file's display path and the sha256 of its bytes match the entry's;
- the shard was written by the same code: the fingerprint covers relpolicy's version, the source
  of ``relpolicy.source`` and ``relpolicy.findings`` (editable installs change without a version
  bump), PyYAML's version and whether it uses libyaml, the Python version and the format version;
- the shard is authentic: an HMAC-SHA256 under a key kept outside the repository
  (``$XDG_CACHE_HOME/relpolicy/cache-key``). The cache directory sits in the repository, so a
  pull request could plant entries that describe a broken file as clean; without the key they
  are ignored, and CI (a fresh machine, a fresh key) simply runs cold;
- the shard is a regular file (not a symlink, a FIFO or a device) of a sane size, its bytes are
  the format, and every entry has the shape written here. Anything else is a miss, never an error.

The format is JSON, never pickle: decoding it cannot run code. Entries are spread over
:data:`SHARDS` files by display path, so that editing one file rewrites one shard, and each write
is atomic (a temporary file, then ``os.replace``): concurrent runs may each replace a shard, and
whichever wins holds only entries that are valid for their own content hash.

Deleting the directory is always safe. Entries of files that no longer exist stay until then.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from sys import intern
from typing import Any, Final

import yaml

from relpolicy import _version, findings
from relpolicy.errors import RelpolicyError
from relpolicy.fileio import output_folder
from relpolicy.findings import Location, Problem, Related, Severity
from relpolicy.fixes import Fix, Replacement
from relpolicy.source import parse as parse_module
from relpolicy.source.limits import MAX_SHARED_LENGTH
from relpolicy.source.parse import ParsedDocument, ParseResult
from relpolicy.source.positions import PositionIndex

FORMAT: Final = 2
"""Bumped whenever the layout of a shard or an entry changes."""

SHARDS: Final = 32
"""Shard files per cache: few enough to read quickly, enough that one edit rewrites ~3% of the cache."""

MAX_SHARD_BYTES: Final = 256 * 2**20
"""Larger shard files are not read (a 50,000-service repo needs ~4 MiB per shard)."""

DEFAULT_DIRECTORY: Final = Path(".relpolicy_cache")

_MAGIC: Final = b"relpolicy-parse-cache"
_KEY_BYTES: Final = 32
_GITIGNORE: Final = "# Written by relpolicy: safe to delete, never to commit.\n*\n"
_CACHEDIR_TAG: Final = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by relpolicy.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


def fingerprint() -> str:
    """What, besides a file's bytes and path, decides what parsing it gives."""
    digest = hashlib.sha256()
    for part in (
        f"format {FORMAT}",
        f"relpolicy {_version.__version__}",
        f"pyyaml {yaml.__version__} libyaml {yaml.__with_libyaml__}",
        f"python {sys.version_info.major}.{sys.version_info.minor}",
    ):
        digest.update(part.encode() + b"\n")
    package = Path(parse_module.__file__ or "").parent
    sources = sorted(package.glob("*.py"))
    if findings.__file__:
        sources.append(Path(findings.__file__))
    for source in sources:
        digest.update(source.name.encode() + b"\n")
        digest.update(source.read_bytes())
    return digest.hexdigest()


def default_key_file() -> Path:
    """Where the authentication key lives: the user's cache directory, outside any repository."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base, "relpolicy", "cache-key")


class _Corrupt(Exception):  # noqa: N818 - internal control flow, never escapes this module
    """An entry or a shard that is not what this code writes."""


@dataclass(slots=True)
class _Shard:
    """The entries of one shard file: raw JSON text by display path, decoded only on a hit."""

    entries: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Display path -> (sha256 of the bytes, the entry's JSON)."""
    dirty: bool = False


class ParseCache:
    """A cache of parse results under ``directory``; see the module documentation.

    Use :meth:`get` before parsing a file, :meth:`put` after parsing it, and :meth:`save` once at
    the end. Nothing touches the disk until the first :meth:`get`. The counters ``hits`` and
    ``misses`` tell how many files were served and parsed.
    """

    def __init__(self, directory: Path = DEFAULT_DIRECTORY, *, key_file: Path | None = None) -> None:
        self.directory = directory
        self.key_file = key_file
        self.hits = 0
        self.misses = 0
        self._shards: dict[int, _Shard] = {}
        self._key: bytes | None = None
        self._fingerprint: str | None = None
        self._disabled = False
        self._digested: tuple[bytes, str] | None = None
        """The last content hashed and its digest: put() follows get() for the same bytes."""

    # --- Lookups -----------------------------------------------------------------------------

    def get(self, shown: str, content: bytes, text: str) -> ParseResult | None:
        """What parsing ``text`` (the decoded ``content`` of the file shown as ``shown``) gave last time."""
        shard = self._shard(shown)
        found = shard.entries.get(shown) if shard is not None else None
        if found is not None and found[0] == self._digest(content):
            try:
                result = _decode(found[1], shown, text)
            except (_Corrupt, ValueError, TypeError, RecursionError):
                pass
            else:
                self.hits += 1
                return result
        self.misses += 1
        return None

    def put(self, shown: str, content: bytes, result: ParseResult) -> None:
        """Remember what parsing the file gave (before anything else can change the data)."""
        shard = self._shard(shown)
        if shard is None:
            return
        try:
            encoded = _encode(result)
        except (ValueError, TypeError, RecursionError):  # not JSON (never from parse_yaml): not cached
            return
        shard.entries[shown] = (self._digest(content), encoded)
        shard.dirty = True

    def save(self) -> None:
        """Write every shard that changed, atomically; a cache that cannot be written is skipped."""
        dirty = {number: shard for number, shard in self._shards.items() if shard.dirty}
        if not dirty or self._key is None or self._fingerprint is None:
            return
        try:
            # Through relpolicy.fileio, like every writer: no link followed on the way below the
            # working directory, only regular files replaced, atomically.
            with output_folder(self.directory, create=True) as folder:
                present = folder.names()
                for name, content in ((".gitignore", _GITIGNORE), ("CACHEDIR.TAG", _CACHEDIR_TAG)):
                    if name not in present:
                        folder.write(name, content.encode())
                for number, shard in sorted(dirty.items()):
                    folder.write(self._path(number).name, self._shard_bytes(shard))
                    shard.dirty = False
        except (OSError, RelpolicyError):
            self._disabled = True

    def _digest(self, content: bytes) -> str:
        if self._digested is None or self._digested[0] is not content:
            self._digested = (content, hashlib.sha256(content).hexdigest())
        return self._digested[1]

    # --- Shards ------------------------------------------------------------------------------

    def _shard(self, shown: str) -> _Shard | None:
        if self._disabled:
            return None
        if self._key is None:
            self._key = _load_key(self.key_file or default_key_file())
            if self._key is None or self.directory.is_symlink():  # a symlink could aim writes anywhere
                self._disabled = True
                return None
            self._fingerprint = fingerprint()
        number = _shard_number(shown)
        shard = self._shards.get(number)
        if shard is None:
            shard = self._shards[number] = self._read(number)
        return shard

    def _path(self, number: int) -> Path:
        return self.directory / f"parse-{number:02d}.jsonl"

    def _read(self, number: int) -> _Shard:
        """The entries of a shard file, or none when it is missing, foreign or damaged."""
        try:
            data = _read_regular_file(self._path(number))
            return _Shard(_verify(data, self._key or b"", self._fingerprint or ""))
        except (OSError, _Corrupt, ValueError, RecursionError):
            return _Shard()

    def _shard_bytes(self, shard: _Shard) -> bytes:
        lines = [f"{sha}\t{json.dumps(shown)}\t{entry}\n" for shown, (sha, entry) in sorted(shard.entries.items())]
        body = "".join(lines).encode("utf-8")
        head = _MAGIC + f" {FORMAT} {self._fingerprint}".encode()
        mac = hmac.new(self._key or b"", head + b"\n" + body, hashlib.sha256).hexdigest()
        return head + f" {mac}\n".encode() + body


def _shard_number(shown: str) -> int:
    # Not hash(): string hashing is randomized per process.
    return int.from_bytes(hashlib.blake2b(shown.encode("utf-8", "surrogatepass"), digest_size=2).digest()) % SHARDS


def _read_regular_file(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most MAX_SHARD_BYTES; never blocks on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_SHARD_BYTES:
            raise _Corrupt(path)
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            return stream.read(MAX_SHARD_BYTES + 1)
    finally:
        os.close(descriptor)


def _verify(data: bytes, key: bytes, expected_fingerprint: str) -> dict[str, tuple[str, str]]:
    """The entries of a shard's bytes, if its header and MAC are this code's and this key's."""
    head, newline, body = data.partition(b"\n")
    parts = head.split(b" ")
    if not newline or len(parts) != 4 or parts[0] != _MAGIC:
        raise _Corrupt
    if parts[1] != str(FORMAT).encode() or parts[2] != expected_fingerprint.encode():
        raise _Corrupt
    expected = hmac.new(key, b" ".join(parts[:3]) + b"\n" + body, hashlib.sha256).hexdigest().encode()
    if not hmac.compare_digest(parts[3], expected):
        raise _Corrupt
    entries: dict[str, tuple[str, str]] = {}
    for line in body.decode("utf-8").split("\n"):
        if not line:
            continue
        sha, shown, entry = line.split("\t", 2)
        name = json.loads(shown)
        if not isinstance(name, str):
            raise _Corrupt
        entries[name] = (sha, entry)
    return entries


def _load_key(path: Path) -> bytes | None:
    """The authentication key, created (readable by the user only) on first use; None when unavailable."""
    try:
        key = _read_regular_file(path)
        if len(key) == _KEY_BYTES:
            return key
    except (OSError, _Corrupt):
        pass
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=".cache-key.", dir=path.parent)  # mode 0o600
        try:
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(os.urandom(_KEY_BYTES))
            try:
                os.link(temporary, path)  # a concurrent run may have made one first: keep that one
            except FileExistsError:
                if not _has_key(path):  # a damaged key: replace it
                    Path(temporary).replace(path)
        finally:
            Path(temporary).unlink(missing_ok=True)
        key = _read_regular_file(path)
    except (OSError, _Corrupt, RuntimeError):  # RuntimeError: no home directory
        return None
    return key if len(key) == _KEY_BYTES else None


def _has_key(path: Path) -> bool:
    try:
        return len(_read_regular_file(path)) == _KEY_BYTES
    except (OSError, _Corrupt):
        return False


# --- Entries: a ParseResult as JSON and back ---------------------------------------------------


_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), check_circular=False)
"""ASCII JSON (``ensure_ascii``): file names that are not UTF-8 keep their escaped bytes."""


def _encode(result: ParseResult) -> str:
    entry = {
        "documents": [[document.index, document.data] for document in result.documents],
        "problems": [_problem_json(problem) for problem in result.problems],
    }
    return _ENCODER.encode(entry)


def _location_json(location: Location) -> list[Any]:
    return [location.path, location.line, location.col, location.end_line, location.end_col]


def _problem_json(problem: Problem) -> list[Any]:
    return [
        problem.rule_id,
        problem.message,
        _location_json(problem.location),
        problem.subject,
        [[_location_json(related.location), related.message] for related in problem.related],
        None if problem.severity is None else int(problem.severity),
        None if problem.fix is None else _fix_json(problem.fix),
    ]


def _fix_json(fix: Fix) -> list[Any]:
    return [fix.description, [[r.line, r.col, r.end_line, r.end_col, r.text] for r in fix.replacements]]


def _decode(entry: str, shown: str, text: str) -> ParseResult:
    """A ParseResult from an entry; raises _Corrupt (or ValueError/TypeError) on any other shape."""
    decoded = json.loads(entry)
    if not isinstance(decoded, dict) or set(decoded) != {"documents", "problems"}:
        raise _Corrupt
    documents, problems = decoded["documents"], decoded["problems"]
    if not isinstance(documents, list) or not isinstance(problems, list):
        raise _Corrupt
    result = ParseResult(problems=[_problem(item) for item in problems])
    spans = parse_module.DeferredSpans(text, shown)  # positions only when a finding needs them
    for item in documents:
        if not isinstance(item, list) or len(item) != 2 or not _is_int(item[0]) or item[1] is None:
            raise _Corrupt
        index = item[0]
        positions = PositionIndex(shown, load=functools.partial(spans.of, index))
        result.documents.append(ParsedDocument(index, _shared(item[1]), positions))
    return result


def _shared(value: Any) -> Any:
    """The decoded data with short keys and strings interned, as parsing leaves them.

    ``json.loads`` makes a new string for every occurrence; a repo repeats the same keys, names
    and durations hundreds of thousands of times (measured at 10k services: 63 MiB more than a
    parse without this, 19 MiB with it, for about the time the validation saves on shared keys).
    """
    kind = type(value)
    if kind is str:
        return intern(value) if len(value) <= MAX_SHARED_LENGTH else value
    if kind is dict:
        return {(intern(key) if len(key) <= MAX_SHARED_LENGTH else key): _shared(item) for key, item in value.items()}
    if kind is list:
        return [_shared(item) for item in value]
    return value


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise _Corrupt
    return value


def _location(value: object) -> Location:
    if not isinstance(value, list) or len(value) != 5 or not all(_is_int(n) for n in value[1:]):
        raise _Corrupt
    return Location(_text(value[0]), value[1], value[2], value[3], value[4])


def _fix(value: object) -> Fix | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2 or not isinstance(value[1], list):
        raise _Corrupt
    replacements = []
    for item in value[1]:
        if not isinstance(item, list) or len(item) != 5 or not all(_is_int(n) for n in item[:4]):
            raise _Corrupt
        replacements.append(Replacement(item[0], item[1], item[2], item[3], _text(item[4])))
    return Fix(_text(value[0]), tuple(replacements))


def _problem(value: object) -> Problem:
    if not isinstance(value, list) or len(value) != 7 or not isinstance(value[4], list):
        raise _Corrupt
    rule_id, message, location, subject, related, severity, fix = value
    links = []
    for link in related:
        if not isinstance(link, list) or len(link) != 2:
            raise _Corrupt
        links.append(Related(_location(link[0]), _text(link[1])))
    if severity is not None and not _is_int(severity):
        raise _Corrupt
    return Problem(
        _text(rule_id),
        _text(message),
        _location(location),
        _text(subject),
        tuple(links),
        None if severity is None else Severity(severity),
        _fix(fix),
    )
