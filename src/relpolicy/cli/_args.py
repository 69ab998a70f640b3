"""Argument types shared by the subcommands."""

from __future__ import annotations

import argparse
import datetime as dt


def iso_date(text: str) -> dt.date:
    """``--as-of YYYY-MM-DD``: a usage error (exit 2) names the expected shape."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        msg = f"not a date: {text!r} (expected YYYY-MM-DD)"
        raise argparse.ArgumentTypeError(msg) from None
