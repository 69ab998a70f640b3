"""Writing what an ``export`` command generated: to stdout, to one file, or one file per service.

``--out FILE.yaml`` (or an export with nothing per service) writes one file; ``--out DIR`` one
file per service; no ``--out`` prints the whole. ``--check`` compares instead of writing, as
``render --check`` does, and tells the command that would bring the files up to date.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from relpolicy.cli import EXIT_CLEAN
from relpolicy.cli._output import write
from relpolicy.errors import RelpolicyError

FILE_SUFFIXES: Final = (".yaml", ".yml")
"""An ``--out`` with one of these suffixes names a file; anything else, a folder."""


def write_generated(
    args: argparse.Namespace, whole: str, per_service: dict[str, str], options: Sequence[str] = ()
) -> int:
    """Write (with ``--check``: compare) ``whole`` or ``per_service``; ``options``: the command's own, for the hint."""
    from relpolicy.cli.render import _sync_file, _sync_files  # noqa: PLC0415 - shared writing of generated files
    from relpolicy.fileio import output_folder  # noqa: PLC0415

    out: Path | None = args.out
    if out is None:
        if args.check:
            msg = "--check needs --out DIR|FILE to compare with"
            raise RelpolicyError(msg)
        write(whole)
        return EXIT_CLEAN
    again = " ".join(
        [
            f"relpolicy export {args.target}",
            *(p.as_posix() for p in args.paths),
            *(["--config", args.config.as_posix()] if args.config is not None else []),
            *options,
            "--out",
            out.as_posix(),
        ]
    )
    if out.suffix in FILE_SUFFIXES or not per_service:
        return _sync_file(out, whole, check=args.check, again=again)
    with output_folder(out, create=not args.check) as folder:
        return _sync_files(folder, per_service, [], check=args.check, again=again)
