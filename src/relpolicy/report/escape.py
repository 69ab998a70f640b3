"""Make text from policy files safe to show: the one place that decides what is escaped, and how.

Policy files are untrusted input (a pull request from a fork), and their values, keys and file
names reach terminals, CI logs, pull-request annotations and job summaries. A raw ESC starts a
terminal control sequence (an OSC title, a hyperlink, a cursor move), a BEL rings, a line or
paragraph separator starts a new log line that looks like relpolicy's own. So every human output
passes names and messages through :func:`visible`, and every JSON output through :func:`json_text`.

Escaped (:data:`UNSAFE`):

- C0 controls (U+0000-U+001F, tab and line feed included), DEL and the C1 controls
  (U+0080-U+009F, NEL among them);
- the line and paragraph separators U+2028 and U+2029;
- the bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which
  make a line read differently from its characters' order ("Trojan Source");
- U+FFFE and U+FFFF, which are not characters (XML 1.0 forbids them);
- lone surrogates: a file name whose bytes are not UTF-8 reaches us from ``os.fsdecode`` with each
  undecodable byte as U+DC80-U+DCFF, which no UTF-8 output can carry.

They are written as Python writes them in a string literal: ``\\t``, ``\\n``, ``\\r``, ``\\x1b``,
``\\u2028``; an undecodable byte becomes ``\\xNN`` with the byte's own value. Backslashes are
left alone, so ordinary messages read as before; the escaped form is for reading, not for
turning back into the original.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

UNSAFE: Final = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]")
"""Every character :func:`visible` escapes."""

_NAMED: Final = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNDECODABLE: Final = range(0xDC80, 0xDD00)
"""``surrogateescape`` maps an undecodable byte ``b`` to ``U+DC00 + b`` (``b`` is at least 0x80)."""


def _escape(char: str) -> str:
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if code in _UNDECODABLE:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every :data:`UNSAFE` character escaped (``"a\\x1b]0;pwned\\x07"`` for ``a``, ESC…BEL)."""
    return UNSAFE.sub(lambda match: _escape(match.group()), text)


def visible_lines(text: str) -> str:
    """Like :func:`visible`, but line feeds stay: each line is escaped on its own (for multi-line bodies)."""
    return "\n".join(visible(line) for line in text.split("\n"))


_JSON_UNSAFE: Final = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff]")
"""What ``json.dumps(ensure_ascii=False)`` leaves raw in its output but a reader should not get raw."""


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    if "\ud800" <= char <= "\udfff":
        # Not encodable in UTF-8, and a ``\udcff`` escape is rejected by strict JSON parsers: the
        # string gets the visible form instead (``\xff``, written ``\\xff`` in JSON).
        return _escape(char).replace("\\", "\\\\")
    return f"\\u{ord(char):04x}"


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """``data`` as JSON text, with no raw control or separator character and valid UTF-8 throughout.

    ``json.dumps`` already writes C0 controls as ``\\u001b``. DEL, the C1 controls, the
    separators, the bidirectional controls and U+FFFE/U+FFFF are written as ``\\uXXXX`` too, so the
    data is unchanged and the text has none of them raw. Lone surrogates (undecodable bytes in a
    file name) cannot be represented in UTF-8, so their strings get :func:`visible`'s ``\\xNN``.
    These characters only ever occur inside JSON strings, so one pass over the text is enough.
    """
    return _JSON_UNSAFE.sub(_json_escape, json.dumps(data, indent=indent, ensure_ascii=False))
