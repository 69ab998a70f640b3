"""A fast parse of plain policy files with rapidyaml, for the hot path of ``check``.

PyYAML (``source/parse.py``) stays the reference: it creates a Python object per node, which is
most of the parse time on a large repo. rapidyaml parses into its own C++ tree ~20x faster, but
its Python API costs ~0.6 µs per call, so walking its tree node by node from Python is no faster
than PyYAML. Instead, each document is emitted as JSON by rapidyaml and read by ``json.loads``,
and this module only accepts a file when it can tell that the result is exactly what
``parse_yaml`` builds. It answers ``None`` ("not certain") otherwise, and the caller falls back to
PyYAML, which also reports the problems (this path never reports any).

Why the result is the same when a file is accepted:

* **Structure.** Files that use anchors, aliases, tags, merge keys, directives, complex keys,
  tabs, unusual line breaks or characters libyaml refuses are never accepted: ``_uncertain_text``
  looks for them in the text, erring on the side of falling back. rapidyaml also reads as text
  some YAML that libyaml refuses (a node starting with ``]``, ``%``, ``@`` or a ``:`` in a flow
  collection, keys spanning lines in a flow collection, a bad block scalar header, text after a
  quoted scalar or a closing bracket on its line, a ``:`` or ``?`` starting a token or a
  comment inside a flow collection, empty lines after an escaped line break...): the
  differential tests (``tests/property/test_fast_parse.py``: random edits of generated YAML, and
  every short string of punctuation in flow and block contexts) found each of these, and the text
  checks send them to PyYAML (ASCII texts on byte classes, ``_uncertain_ascii_layout``, at
  least as strictly as the exact checks). Duplicate keys are seen while ``json.loads`` builds
  each mapping, nesting deeper than ``MAX_DEPTH`` falls back, and so does a file rapidyaml
  cannot parse.
* **Typing.** rapidyaml's JSON emitter quotes every scalar except plain ones that look like JSON
  numbers or ``true``/``false``/``null``/``.inf``/``.nan``, and it rewrites ``inf``/``nan`` spellings
  as the strings ``".inf"``/``".nan"``. So a JSON number or constant is always a plain scalar
  whose YAML 1.2 core-schema value is that same number or constant (``json.loads`` refuses what
  JSON does not allow, such as ``+1`` or ``NaN``), and every plain scalar the core schema would
  type differently comes out as a string that the core schema would *not* read as a string. The
  JSON cannot tell such a string from a quoted one, so any string (key or value) that the core
  schema would type as null, bool, int, float or merge makes the file fall back.
* **Documents.** A file's documents are emitted as one JSON array (``null`` for an empty one):
  empty documents are skipped, and each document keeps its index in the file.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Iterable
from sys import intern
from typing import TYPE_CHECKING, Any, Final

from relpolicy.source.limits import MAX_DEPTH, MAX_SHARED_LENGTH

if TYPE_CHECKING:
    from types import ModuleType

_NODE_START: Final = re.compile(r"(?:^|[\s\[\]{},:])[&*!@`]", re.MULTILINE)
"""An anchor, an alias, a tag, or a reserved indicator (which libyaml refuses and rapidyaml takes
as text) where a node may start, erring towards falling back."""
_ODD_NODE_START: Final = re.compile(
    r"""
    [\[\]{},%|>]  # one scan for the rare characters first, then where they stand:
    (?:(?<=[\[{,])(?=[ ]*(?:[?:%,|>@`]|-(?:\s|$)))  # an indicator starting a node in a flow
                                # collection (libyaml: an indicator or an error; rapidyaml: text)
      |(?:(?<=\s.)|(?<=^.))      # after a space or at a line start, where a block node may start:
       (?:(?<=[\]}%,])            # a closing bracket, `%` or `,` (libyaml refuses them, rapidyaml
                                # reads text) or a block scalar indicator that is not followed
        |(?<=[|>])(?![1-9]?[-+]?[1-9]?(?:[ ]+\#.*)?[ ]*$)))  # by just its header and a comment
    """,
    re.MULTILINE | re.VERBOSE,
)
"""Node starts that libyaml and rapidyaml read differently (the differential test found each)."""
_IN_FLOW_ON_ITS_LINE: Final = re.compile(r"[\[{][^\n]*?(?:[ ,:\[{?][:?]|:[,?\[\]{}]|[ ]#[^\n]*[\]}])")
"""After a ``[`` or ``{`` on its line (a flow collection, since one cannot span lines here): a
``:`` or ``?`` that starts a token (libyaml reads an indicator there, even before a non-space),
a ``:`` before one of ``,?[]{}`` (libyaml refuses it in a plain scalar), or a comment that a
closing bracket follows (libyaml ends the line there): rapidyaml reads text in all three
(``{a: :b}``, ``{a:, b}``, ``{a: b #}``). The brute force in ``tests/property/test_fast_parse.py``
found them."""
_AFTER_FLOW_SEQUENCE: Final = re.compile(r"\][ ]+[^ #:,\]}\n]")
_AFTER_FLOW_MAPPING: Final = re.compile(r"\}[ ]+[^ #:,\]}\n]")
"""A closing bracket, spaces, then more than a comment, a ``:`` or a flow indicator (two searches
led by a literal, which ``re`` runs ~10x faster than one led by a class of both); see
:func:`_more_after_flow`."""
_DIRECTIVE: Final = re.compile(r"^%", re.MULTILINE)
_DOCUMENT_END: Final = re.compile(r"^[ \t]*\.\.\.", re.MULTILINE)
_BLOCK_SCALAR_DOCUMENT: Final = re.compile(r"^(?:---[ ]+)?[|>]", re.MULTILINE)
"""A directive, a document end marker (rapidyaml ends the document at an indented one, libyaml
reads text there or refuses it), or a block scalar as a whole document: libyaml and rapidyaml
disagree on where a marker may stand and on what such a scalar holds."""
_NOT_FLOW_BRACKETS: Final = bytes(range(256)).translate(None, b"[]{}\n")
"""Deleted from the text to see each line's brackets: a line that opens a flow collection and does
not close it makes a collection that spans lines, and libyaml and rapidyaml disagree on keys that
span lines."""
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
"""What rapidyaml's text holds for bytes that are not UTF-8 (a ``\\ud800`` escape, which libyaml
refuses)."""
_ESCAPED_LINE_BREAK: Final = re.compile(r"\\[ ]*$", re.MULTILINE)
"""A backslash at the end of a line: in a double-quoted scalar, an escaped line break, after
which rapidyaml folds the empty lines that libyaml keeps as line feeds."""
_AFTER_SINGLE_QUOTE: Final = re.compile(r"'(?:[ ]+[^ #:,\]}\n]|[ ]*:)")
_AFTER_DOUBLE_QUOTE: Final = re.compile(r'"(?:[ ]+[^ #:,\]}\n]|[ ]*:)')
"""A quote followed by spaces and more than a comment or a flow indicator, or by a ``:``: a quick
search (led by a literal) for what :func:`_uncertain_after_quoted` looks at closely."""
_QUOTED_AT_NODE_START: Final = re.compile(
    r"""
    (?:^|(?<=[-?:,\[\]{}]))[ ]*                    # a line start or an indicator, spaces,
    (?P<scalar>'(?:[^']|'')*'(?!')|"(?:[^"\\]|\\[\s\S])*")  # a quoted scalar,
    (?:(?P<more>[ ]+[^ #:,\]}\n])|[ ]*:)              # then more on its line, or a `:`
    """,
    re.MULTILINE | re.VERBOSE,
)


def _uncertain_after_quoted(text: str) -> bool:
    """A quoted scalar followed on its line by more than a comment, a ``:`` or a flow indicator,
    or a quoted scalar over several lines used as a key: libyaml refuses both, and rapidyaml
    reads a new item or key (``- 'a' - b``, ``- 'a' k: v`` in a block sequence) or the key.

    A quote counts as a node start after an indicator or at a line start, erring towards falling
    back; quotes inside prose (``switch to "safe" mode``) do not.
    """
    for quoted in _QUOTED_AT_NODE_START.finditer(text):
        if quoted.group("more") or "\n" in quoted.group("scalar"):
            return True
    return False


_COMPLEX_KEY: Final = re.compile(r"(?:^|[\s\[{,])\?(?:\s|$)", re.MULTILINE)
"""An explicit ``?`` key, which may be a mapping or a list (rapidyaml refuses flow ones itself)."""
_NOT_PRINTABLE: Final = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
"""Tabs, CR, NEL, LS/PS, a BOM, control characters, surrogates: where libyaml and rapidyaml may
disagree (line breaks, characters libyaml refuses), so such files go to libyaml."""

_CORE_TYPED_STRING: Final = re.compile(
    r"""
    "(?=[~nNtTfF<"+\-.0-9])  # cheap filter: most strings start otherwise
    (?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE  # null, bool
      |[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+                # int
      |[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)  # float
      |<<|)"                                                 # merge, empty (null)
    """,
    re.VERBOSE,
)
"""A JSON string (key or value) that the core schema would not read as a string if written plain.

It may come from a quoted YAML scalar (a string) or from a plain one (not a string), and the JSON
cannot tell which. Searched in the JSON text: every string token appears there as ``"content"``
(such contents hold nothing JSON escapes), so a match may be a false alarm inside another string
(``\"1\"``), never a miss. Keep in step with ``parse._CORE_RULES``."""


class _Uncertain(Exception):  # noqa: N818 - internal control flow, never escapes this module
    """The JSON does not show for certain what ``parse_yaml`` would build."""


def _mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """One JSON object: refuse duplicate keys (JSON keeps the last, relpolicy reports them) and
    intern keys and short strings as ``parse_yaml`` does (memory, and validators compare keys by
    identity)."""
    data = {
        intern(key): intern(value) if type(value) is str and len(value) <= MAX_SHARED_LENGTH else value
        for key, value in pairs
    }
    if len(data) != len(pairs):
        raise _Uncertain
    return data


def _constant(_name: str) -> Any:
    raise _Uncertain  # NaN/Infinity: JSON extensions that no YAML scalar is emitted as


_DECODER: Final = json.JSONDecoder(object_pairs_hook=_mapping, parse_constant=_constant)


def _unbalanced(brackets: bytes) -> bool:
    return brackets.count(b"{") + brackets.count(b"[") != brackets.count(b"}") + brackets.count(b"]")


def _more_after_flow(text: str, closings: Iterable[int]) -> bool:
    """Is one of these closing brackets (offsets in ``text``) followed by spaces and more than a
    comment, a ``:`` or a flow indicator, outside a comment line? libyaml refuses it, and rapidyaml
    may read a new item (``- [] -``). Comment lines are left out because they often hold brackets
    (``# relpolicy: ignore[RP306] because...``); a comment after content on the same line is not,
    erring towards falling back."""
    for closing in closings:
        line_start = text.rfind("\n", 0, closing) + 1
        if not text[line_start:closing].lstrip(" ").startswith("#"):
            return True
    return False


_LONGEST_KEY: Final = 1024
"""The longest implicit key YAML allows (PyYAML enforces it; a line this long goes to PyYAML)."""


def _uncertain_text(text: str, encoded: bytes) -> bool:
    """Does the text use anything this module leaves to PyYAML? (Cheap tests first.)"""
    if len(text) > _LONGEST_KEY and max(map(len, text.splitlines())) > _LONGEST_KEY:
        return True  # PyYAML refuses an implicit key longer than 1024 characters; rapidyaml takes it
    if ("&" in text or "*" in text or "!" in text or "@" in text or "`" in text) and _NODE_START.search(text):
        return True
    if ("<" in text and "<<" in text) or ("?" in text and _COMPLEX_KEY.search(text)):  # a memchr first
        return True
    if ("%" in text and _DIRECTIVE.search(text)) or ("..." in text and _DOCUMENT_END.search(text)):
        return True
    if "\\" in text and _ESCAPED_LINE_BREAK.search(text):
        return True
    if (("'" in text and _AFTER_SINGLE_QUOTE.search(text)) or ('"' in text and _AFTER_DOUBLE_QUOTE.search(text))) and (
        _uncertain_after_quoted(text)
    ):
        return True
    if ("|" in text or ">" in text) and (not text.endswith("\n") or _BLOCK_SCALAR_DOCUMENT.search(text)):
        return True  # without a last line break, rapidyaml still ends a block scalar with one
    if text.isascii():  # O(1): CPython knows it of every string
        return _uncertain_ascii_layout(text, encoded)
    return _uncertain_layout(text, encoded)


def _uncertain_layout(text: str, encoded: bytes) -> bool:
    """Flow collections over several lines, odd node starts, indicators and comments inside flow
    collections, text after them, characters that are not printable.

    Exact, and the reference for :func:`_uncertain_ascii_layout`; it costs ~0.39 s at 10,000
    files, mostly ``_ODD_NODE_START`` and ``_IN_FLOW_ON_ITS_LINE``, whose first character class
    ``re`` tests at every character (~6 ns each).
    """
    if ("{" in text or "[" in text) and any(map(_unbalanced, encoded.translate(None, _NOT_FLOW_BRACKETS).split())):
        return True
    if _ODD_NODE_START.search(text):
        return True
    if ("{" in text or "[" in text) and _IN_FLOW_ON_ITS_LINE.search(text):
        return True
    after = itertools.chain(_AFTER_FLOW_SEQUENCE.finditer(text), _AFTER_FLOW_MAPPING.finditer(text))
    if _more_after_flow(text, (match.start() for match in after)):
        return True
    return _NOT_PRINTABLE.search(text) is not None


def _layout_classes() -> bytes:
    """The ``bytes.translate`` table of :func:`_uncertain_ascii_layout`: one letter per class of byte."""
    table = bytearray(b"x" * 256)  # anything else
    for byte in [*range(0x20), *range(0x7F, 0x100)]:
        table[byte] = ord("z")  # not printable: tabs, CR, control characters (and not ASCII)
    classes = [(" ", "_"), ("\n", "n"), ("[{", "o"), ("]}", "e"), (",", "c"), ("%", "p"), ("|>", "s")]
    classes += [(":", "k"), ("?", "q"), ("#", "h"), ("@`-", "i")]
    for members, letter in classes:
        for member in members:
            table[ord(member)] = ord(letter)
    return bytes(table)


_LAYOUT_CLASSES: Final = _layout_classes()
"""Byte classes: ``_`` space, ``n`` line break, ``o`` ``[{``, ``e`` ``]}``, ``c`` ``,``, ``p`` ``%``,
``s`` ``|>``, ``k`` ``:``, ``q`` ``?``, ``h`` ``#``, ``i`` ``@`-``, ``z`` not printable, ``x``
anything else."""
_AFTER_OPENING: Final = re.compile(rb"o_*[ikqcps]")
_AFTER_COMMA_OR_SPACED: Final = re.compile(rb"c(?:(?<=[_n]c)|_*[ikqcps])")
_CLOSING_TO_LOOK_AT: Final = re.compile(rb"e(?:(?<=[_n]e)|(?=_+[^_hkcen]))")
"""A closing bracket after a space or a line break, or before spaces and more text."""
_COLON_INDICATOR: Final = re.compile(rb"k(?:(?<=[_kq]k)|[kqcoe])")
_QUESTION_INDICATOR: Final = re.compile(rb"q(?:(?<=[_kq]q)|[kq])")
_COMMENT_BEFORE_CLOSING: Final = re.compile(rb"h(?<=_h)[^n]*e")
"""``_IN_FLOW_ON_ITS_LINE`` in byte classes, in three searches led by a literal: a ``:`` or ``?``
after a space, ``:`` or ``?`` (after ``[{,`` the searches above see it), a ``:`` before one of
``:?,[]{}``, wherever they stand (flow collections are where they matter, and they are rare
elsewhere), and a comment that a closing bracket follows, on a line with an opening one before."""
_SPACED_PERCENT: Final = re.compile(rb"p(?<=[_n]p)")
_SPACED_BLOCK_INDICATOR: Final = re.compile(rb"s(?<=[_n]s)")
_BLOCK_HEADER_TO_LINE_END: Final = re.compile(r"[1-9]?[-+]?[1-9]?(?:[ ]+\#.*)?[ ]*$", re.MULTILINE)
_FLOW_NESTING_CHECKED: Final = 8
"""Flow collections nested deeper than this on one line fall back (a bound on the passes made)."""


def _uncertain_ascii_layout(text: str, encoded: bytes) -> bool:
    """What :func:`_uncertain_layout` finds in an ASCII text, or more, in under a third of the time.

    It may answer "uncertain" where the reference does not (the file then goes to PyYAML), never
    the reverse; ``tests/property/test_fast_parse.py`` checks this on random texts. The text is
    translated to one letter per class of byte (``_LAYOUT_CLASSES``), after a line break standing
    for the start of the text, so that every search starts with a literal letter, which ``re``
    finds ~10x faster than a character class (0.11 s against 0.39 s at 10,000 files):

    * not printable: any ``z`` (tabs, CR and the like: the only ASCII whitespace but space and
      line break, so below a space or a line break is all the reference's whitespace can be);
    * ``_ODD_NODE_START``, an indicator starting a node in a flow collection: ``[``, ``{`` or
      ``,``, spaces, then one of ``?:%,|>@`` and backtick, or ``-`` (always, not only before a
      space); a node starting with ``]}%,`` after a space or a line break; ``|``/``>`` there
      that is not followed by just a block scalar header (checked in the text itself);
    * ``_IN_FLOW_ON_ITS_LINE``, its indicators looked for on every line; ``_AFTER_FLOW_SEQUENCE``
      and ``_AFTER_FLOW_MAPPING`` in one search, whose matches :func:`_more_after_flow` judges;
    * a flow collection over several lines: a line whose brackets do not pair up once matching
      pairs are removed (the reference compares counts, which ``}{`` passes).
    """
    classes = (b"\n" + encoded).translate(_LAYOUT_CLASSES)  # classes[i + 1] is text[i]
    if b"z" in classes:
        return True
    if _AFTER_OPENING.search(classes) or _AFTER_COMMA_OR_SPACED.search(classes):
        return True
    for closing in _CLOSING_TO_LOOK_AT.finditer(classes):
        if classes[closing.start() - 1] in b"_n" or _more_after_flow(text, (closing.start() - 1,)):
            return True
    if _COLON_INDICATOR.search(classes) or (b"q" in classes and _QUESTION_INDICATOR.search(classes)):
        return True
    for comment in _COMMENT_BEFORE_CLOSING.finditer(classes):
        if classes.find(b"o", classes.rfind(b"n", 0, comment.start()), comment.start()) != -1:
            return True
    if b"p" in classes and _SPACED_PERCENT.search(classes):
        return True
    if b"s" in classes:
        for indicator in _SPACED_BLOCK_INDICATOR.finditer(classes):
            if not _BLOCK_HEADER_TO_LINE_END.match(text, indicator.end() - 1):
                return True
    if b"o" in classes or b"e" in classes:
        brackets = classes.translate(None, b"_cpskqhixz")  # o, e and n: the brackets of each line
        for _ in range(_FLOW_NESTING_CHECKED):
            if b"oe" not in brackets:
                break
            brackets = brackets.replace(b"oe", b"")
        return b"o" in brackets or b"e" in brackets
    return False


_ryml: ModuleType | None = None


def _load_ryml() -> ModuleType:
    """rapidyaml, imported on first use (0.05 s) so that commands that parse nothing skip it."""
    global _ryml  # noqa: PLW0603 - a module-level import made lazily
    if _ryml is None:
        import ryml  # type: ignore[import-untyped]  # noqa: PLC0415 - no stubs

        _ryml = ryml
    return _ryml


def fast_documents(text: str) -> list[tuple[int, Any]] | None:
    """``(index, data)`` of every non-empty document of ``text``, or ``None`` if not certain.

    ``None`` means: parse the file with PyYAML (``parse_yaml``), which gives the answer and any
    problems. A list means: ``parse_yaml`` would give exactly these documents and no problem.
    """
    encoded = text.encode("utf-8")
    if _uncertain_text(text, encoded):
        return None
    try:
        ryml = _load_ryml()  # a platform without its wheels only loses the fast path
        with _quiet_stderr():  # rapidyaml prints its parse errors to stderr before raising
            tree = ryml.parse_in_arena(encoded)
            json_text, stream = _emit_documents(ryml, tree, len(encoded))
        if json_text is None:
            return []
        if _CORE_TYPED_STRING.search(json_text) or ("\\" in text and _SURROGATE.search(json_text)):
            return None
        data = _DECODER.decode(json_text)
        if stream and type(data) is not list:  # pragma: no cover - rapidyaml emits a stream as an array
            return None
        values = data if stream else [data]
        # A document nests no deeper than it has brackets; only a large file is looked at.
        if json_text.count("{") + json_text.count("[") > MAX_DEPTH and any(map(_too_deep, values)):
            return None
    except Exception:  # whatever goes wrong here, PyYAML decides (and reports)
        return None
    return [(index, value) for index, value in enumerate(values) if value is not None]


def _too_deep(document: Any) -> bool:
    """Does ``document`` nest deeper than ``MAX_DEPTH``?

    Only a document with more brackets than that can, and counting them in its JSON (made in C)
    spares the walk for the documents of a large file that are each small (the walk costs
    ~0.35 s over the documents of 10,000 services).
    """
    text = json.dumps(document)
    return text.count("{") + text.count("[") > MAX_DEPTH and _depth(document) > MAX_DEPTH


def _depth(data: Any, limit: int = MAX_DEPTH + 1) -> int:
    """Nesting depth of ``data``, counted up to ``limit`` (policy documents are shallow)."""
    if limit <= 0:
        return 0
    if type(data) is dict:
        values: Any = data.values()
    elif type(data) is list:
        values = data
    else:
        return 0
    return 1 + max((_depth(value, limit - 1) for value in values), default=0)


def _emit_documents(ryml: ModuleType, tree: Any, size: int) -> tuple[str | None, bool]:
    """The JSON of the file's documents, and whether it is an array of them (one per document).

    A stream (documents marked with ``---``) is emitted whole, as a JSON array with ``null`` for
    each empty document, in one call: a call per document, and the walk over the stream's
    children to find them, cost ~0.11 s more at 10,000 files (each SWIG call ~0.6 µs). A single
    unmarked document is emitted alone, and a file without one (only comments) gives ``None``.
    """
    if tree.empty():
        return None, False
    root = tree.root_id()
    if tree.is_stream(root):
        return _emit_json(ryml, tree, root, size), True
    if tree.is_container(root) or tree.has_val(root):
        return _emit_json(ryml, tree, root, size), False
    return None, False


def _emit_json(ryml: ModuleType, tree: Any, node: int, size: int) -> str:
    """The JSON of ``node``, emitted into a buffer that Python owns and frees.

    Not ``ryml.emit_json``: its binding (``emit_json_malloc`` in rapidyaml's ``api/ryml.i``, up to
    0.15 at least) returns a ``new[]`` buffer as a ``char *`` that SWIG copies into a ``str`` and
    never deletes (its ``%newobject`` names ``emit_malloc``, which no longer exists), so every call
    leaked the size of its output: a long-running process grew by the size of every file it
    parsed (measured: +108 MB over 100 emits of a 1 MB document; +0 this way). The guess of twice
    the text's ``size`` (in bytes) fits almost every file; a larger output is emitted again at
    the size rapidyaml asked for. (Faster, too: 3.9 ms instead of 7.7 for the 1 MB document.)
    """
    buffer = bytearray(2 * size + 1024)
    failed, length = ryml.emit_json_to_substr(tree, node, buffer)
    if failed:
        buffer = bytearray(length)
        failed, length = ryml.emit_json_to_substr(tree, node, buffer)
        if failed:  # pragma: no cover - rapidyaml asked for this size itself
            raise _Uncertain
    return str(memoryview(buffer)[:length], "utf-8")


class _quiet_stderr:  # noqa: N801 - used as a context manager, named like one
    """Point file descriptor 2 at /dev/null for the duration (rapidyaml writes to it in C)."""

    _devnull: int | None = None

    def __enter__(self) -> None:
        if _quiet_stderr._devnull is None:
            _quiet_stderr._devnull = os.open(os.devnull, os.O_WRONLY)
        self.saved = os.dup(2)
        os.dup2(_quiet_stderr._devnull, 2)

    def __exit__(self, *exc: object) -> None:
        os.dup2(self.saved, 2)
        os.close(self.saved)
