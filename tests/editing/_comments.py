"""An independent count of a YAML text's comments, for checking the formatter's own.

PyYAML's pure-Python scanner skips comments in two places (between tokens, and after a block
scalar's header); this subclass records what it skips there. It shares no code with
``relpolicy.editing.layout``, so a comment the formatter's finder missed would show up here.
"""

from __future__ import annotations

from collections import Counter

import yaml
from yaml.reader import Reader
from yaml.scanner import Scanner

_BREAKS = "\0\r\n\x85\u2028\u2029"


class _CommentScanner(Reader, Scanner):
    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        self.found: list[str] = []

    def _skip_comment(self) -> None:
        start = self.index
        while self.peek() not in _BREAKS:
            self.forward()
        self.found.append(self.buffer[start : self.index].rstrip(" \t"))

    def scan_to_next_token(self) -> None:
        if self.index == 0 and self.peek() == "\ufeff":
            self.forward()
        found = False
        while not found:
            while self.peek() == " ":
                self.forward()
            if self.peek() == "#":
                self._skip_comment()
            if self.scan_line_break():
                if not self.flow_level:
                    self.allow_simple_key = True
            else:
                found = True

    def scan_block_scalar_ignored_line(self, start_mark: yaml.Mark) -> None:
        while self.peek() == " ":
            self.forward()
        if self.peek() == "#":
            self._skip_comment()
        super().scan_block_scalar_ignored_line(start_mark)


def scanned_comments(text: str) -> Counter[str]:
    """The comments of ``text`` by text, as PyYAML's scanner meets them."""
    scanner = _CommentScanner(text)
    while scanner.check_token():
        scanner.get_token()
    return Counter(scanner.found)
