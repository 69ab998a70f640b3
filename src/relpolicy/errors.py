"""Tool errors: relpolicy cannot run (bad usage, unreadable configuration), as opposed to findings."""

from __future__ import annotations

from relpolicy.findings import Location


class RelpolicyError(Exception):
    """An error that stops relpolicy, reported as one line (with a location where one exists)."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message
