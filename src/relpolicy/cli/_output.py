"""Helpers the subcommands share: colour decisions and writing text."""

from __future__ import annotations

import os
import sys
from typing import TextIO


def wants_color(choice: str, stream: TextIO) -> bool:
    """Colour only on a terminal (or when forced), and never when NO_COLOR is set."""
    if os.environ.get("NO_COLOR"):
        return False
    if choice == "always":
        return True
    return choice == "auto" and stream.isatty()


def write(text: str, stream: TextIO | None = None) -> None:
    """Write ``text`` to ``stream`` (standard output by default, looked up at call time)."""
    stream = stream or sys.stdout
    stream.write(text)
    stream.flush()
