"""Which existing name a misspelt one most likely meant ("did you mean"), in bounded time.

The answer is exactly ``difflib.get_close_matches(word, names, n, cutoff)``: the names whose
``SequenceMatcher(None, name, word).ratio()`` reaches the cutoff, best first (ties by the larger
name). difflib computes that ratio, which costs the product of the lengths, for every name that
passes two cheap upper bounds; with thousands of names that all look alike and thousands of
dangling references, that was quadratic (1,000 near-miss names took 54 s). Here:

* names are grouped by length, and only the lengths whose bound (``2 * min / total``) reaches
  the cutoff are looked at;
* the names of those lengths are ranked by the second bound (the letters both share, counted
  with repeats), and the exact ratio is computed from the best bound down, stopping as soon as
  no name left can beat what was found: usually after one or two ratios;
* answers are remembered per word, so a typo repeated a thousand times is looked up once;
* a :class:`Budget` shared by the lookups of one check caps the total work
  (``MAX_SUGGESTION_WORK``): once it is spent, the remaining lookups suggest nothing. A normal
  repository hardly comes near it: ten thousand names of one length and ten different typos
  would spend it all, and names of many lengths are mostly skipped by the first bound.
"""

from __future__ import annotations

import bisect
import difflib
from collections import Counter
from collections.abc import Iterable
from typing import Final

CUTOFF: Final = 0.6
"""Least similarity ratio of a suggestion (difflib's default)."""

MAX_SUGGESTION_WORK: Final = 100_000
"""Work one check may spend on suggestions, in names looked at (one unit each; a ratio computed
costs ``RATIO_COST``): at most a second or two. Beyond it, findings carry no "did you mean"."""

RATIO_COST: Final = 32
"""Units charged for one exact ratio: about what it costs next to a bound, for names of ~20
characters."""


class Budget:
    """The work left for suggestions, shared by every lookup of one check."""

    __slots__ = ("left",)

    def __init__(self, work: int = MAX_SUGGESTION_WORK) -> None:
        self.left = work

    def spend(self, units: int) -> bool:
        """Take ``units`` if that many are left; False (and nothing left) otherwise."""
        if units > self.left:
            self.left = 0
            return False
        self.left -= units
        return True


Ranked = list[tuple[float, str]]


class Names:
    """A set of names to suggest from, indexed once for any number of lookups."""

    def __init__(self, names: Iterable[str], budget: Budget | None = None) -> None:
        self.by_length: dict[int, list[str]] = {}
        for name in dict.fromkeys(names):
            self.by_length.setdefault(len(name), []).append(name)
        self.budget = budget
        self._answers: dict[tuple[str, float, int], Ranked] = {}

    def closest(self, word: str, cutoff: float = CUTOFF) -> str | None:
        """The name that ``word`` is most likely a typo of, if any."""
        ranked = self.ranked(word, cutoff, 1)
        return ranked[0][1] if ranked else None

    def ranked(self, word: str, cutoff: float = CUTOFF, n: int = 1) -> Ranked:
        """The ``n`` best ``(ratio, name)`` with a ratio of at least ``cutoff``, best first."""
        key = (word, cutoff, n)
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = self._rank(word, cutoff, n)
        return answer

    def _spend(self, units: int) -> bool:
        return self.budget is None or self.budget.spend(units)

    def _rank(self, word: str, cutoff: float, n: int) -> Ranked:
        """Best first: the lengths by their bound, the names read by their bound, ratios from the
        best bound down; stop when the ``n`` best found are above every bound left."""
        size = len(word)
        lengths = sorted(
            ((_ratio(min(length, size), length + size), length) for length in self.by_length), reverse=True
        )
        counted = Counter(word)
        letters, counts = list(counted), list(counted.values())
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(word)
        best: Ranked = []  # ascending, at most n
        pending: Ranked = []  # names read, not yet compared: descending by (bound, name)
        for limit, length in [*lengths, (-1.0, -1)]:  # the last pass compares what is pending
            while pending and pending[-1][0] > limit:
                bound, name = pending.pop()
                if len(best) == n and best[0] >= (bound, name):
                    return best[::-1]  # nothing pending or unread can enter the best n
                if not self._spend(RATIO_COST):
                    return []
                matcher.set_seq1(name)
                ratio = matcher.ratio()
                if ratio >= cutoff:
                    bisect.insort(best, (ratio, name))
                    del best[:-n]
            if limit < cutoff or (len(best) == n and best[0][0] > limit):
                if length >= 0:
                    continue  # the names of this length (and of the ones after) cannot enter
                break
            names = self.by_length[length]
            if not self._spend(len(names)):
                return []
            total = length + size
            for name in names:
                bound = _ratio(sum(map(min, counts, map(name.count, letters))), total)
                if bound >= cutoff:
                    pending.append((bound, name))
            pending.sort()  # ascending: the best at the end, popped first
        return best[::-1]


def _ratio(matches: int, total: int) -> float:
    """difflib's similarity ratio, computed as difflib computes it (so that bounds compare exactly)."""
    return 2.0 * matches / total if total else 1.0
