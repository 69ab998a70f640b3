"""Argument types shared by the subcommands."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from typing import Final

from relpolicy.model.types import MAX_YEAR, MIN_YEAR

MAX_DEPTH: Final = 1_000
"""The largest ``graph --depth``: no dependency chain is longer, and the walk stays bounded."""


def in_years(value: dt.date, text: str) -> None:
    """Refuse a date outside the years policies may use (a usage error, exit 2)."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        msg = f"{text!r} is outside the years relpolicy handles, {MIN_YEAR} to {MAX_YEAR}"
        raise argparse.ArgumentTypeError(msg)


def iso_date(text: str) -> dt.date:
    """``--as-of YYYY-MM-DD``: a usage error (exit 2) names the expected shape or the years allowed."""
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        msg = f"not a date: {text!r} (expected YYYY-MM-DD)"
        raise argparse.ArgumentTypeError(msg) from None
    in_years(value, text)
    return value


def bounded_int(least: int, most: int, noun: str) -> Callable[[str], int]:
    """An argparse type: a whole number from ``least`` to ``most``, read only when it has few enough digits."""

    def parse(text: str) -> int:
        digits = text.strip()
        few = digits.isascii() and digits.isdigit() and len(digits) <= len(str(most))
        if not (few and least <= int(digits) <= most):
            msg = f"not {noun}: {text!r} (expected a whole number from {least} to {most})"
            raise argparse.ArgumentTypeError(msg)
        return int(digits)

    parse.__name__ = noun  # argparse names the type in some messages
    return parse
