"""``relpolicy import backstage PATHS... --out DIR``: a Backstage catalog as relpolicy Services and Teams.

Reads the catalog files (and the files their ``Location`` entities lead to), writes
``DIR/services/<name>.yaml`` and ``DIR/teams/<name>.yaml`` in ``relpolicy fmt``'s layout, and
prints on standard error one ``file:line:col: note:`` line for everything that did not map, then a
summary. Re-running it updates the files in place: only the fields the catalog owns (listed in the
``relpolicy.dev/imported-fields`` annotation) are rewritten; see :mod:`relpolicy.importers.regenerate`.

Exit codes: 0 when every entity that maps was written (notes may remain), 1 when some were not
(or a file did not parse, or a Location target could not be read), 2 for usage errors and
unreadable input files.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from relpolicy.cli import EXIT_CLEAN, EXIT_FINDINGS
from relpolicy.errors import RelpolicyError

if TYPE_CHECKING:
    from relpolicy.fileio import OutputFolder
    from relpolicy.importers.backstage import Generated


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``import backstage``."""
    parser.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="catalog files (catalog-info.yaml, Location files)"
    )
    parser.add_argument("--out", type=Path, metavar="DIR", required=True, help="folder to write services/, teams/ in")
    parser.add_argument(
        "--tier-annotation",
        default="relpolicy.dev/tier",
        metavar="KEY",
        help="annotation (or label) holding a service's tier, 1-4 (default: relpolicy.dev/tier; also label `tier`, "
        "tag `tier-N`)",
    )
    parser.add_argument(
        "--default-tier",
        type=int,
        choices=(1, 2, 3, 4),
        default=2,
        help="tier written, with a TODO comment, for a service the catalog gives none (default: 2)",
    )
    parser.add_argument(
        "--coverage",
        default="always",
        metavar="CALENDAR",
        help="coverage written, with a TODO comment, for each team (Backstage has none; default: always)",
    )


def run(args: argparse.Namespace) -> int:
    """Read the catalog, write the files, print the notes and the summary."""
    from relpolicy.fileio import output_folder, read_input  # noqa: PLC0415 - heavy imports only when importing
    from relpolicy.importers.backstage import Options, map_catalog, read_catalog  # noqa: PLC0415
    from relpolicy.source.loader import display_path  # noqa: PLC0415

    def read(path: Path) -> str:
        data = read_input(path, "catalog file", within=path.parent)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            msg = f"{display_path(path)}: byte {error.start} is not UTF-8"
            raise RelpolicyError(msg) from None

    catalog = read_catalog(args.paths, read, display_path)
    options = Options(args.tier_annotation, args.default_tier, args.coverage)
    mapped = map_catalog(catalog, options)
    failed = 0
    for folder_name in ("services", "teams"):
        documents = [d for d in mapped.documents if d.folder == folder_name]
        with output_folder(args.out / folder_name, create=bool(documents)) as folder:
            for document in documents:
                failed += not _write(folder, document, display_path)
            _left(folder, {f"{d.name}.yaml" for d in documents}, display_path)
    for note in sorted(mapped.notes, key=lambda n: (n.location.path, n.location.line, n.location.col)):
        print(note.line(), file=sys.stderr)
    errors = sum(note.severity == "error" for note in mapped.notes) + failed
    others = ", ".join(f"{count} {kind}" for kind, count in sorted(mapped.not_mapped.items()))
    services = sum(d.folder == "services" for d in mapped.documents)
    print(
        f"relpolicy: read {len(catalog.entities)} entit{'y' if len(catalog.entities) == 1 else 'ies'} from "
        f"{catalog.files} file(s); {services} service(s) and {len(mapped.documents) - services} team(s) "
        f"in {display_path(args.out)}; not mapped: {others or 'none'}; "
        f"{sum(n.severity == 'note' for n in mapped.notes)} note(s), {errors} error(s)",
        file=sys.stderr,
    )
    return EXIT_FINDINGS if errors else EXIT_CLEAN


def _write(folder: OutputFolder, document: Generated, display_path: Callable[[Path], str]) -> bool:
    """Write (or update) one imported file; False, with the error on standard error, when it was left as it is."""
    from relpolicy.editing.layout import LayoutError  # noqa: PLC0415
    from relpolicy.importers.regenerate import render  # noqa: PLC0415

    name = f"{document.name}.yaml"
    shown = display_path(folder.file(name))
    existing = folder.read(name)
    try:
        text = render(document, None if existing is None else existing.decode("utf-8-sig"), shown)
    except (RelpolicyError, LayoutError) as error:
        print(f"{shown}: error: {error}", file=sys.stderr)
        return False
    except UnicodeDecodeError as error:
        print(f"{shown}: error: byte {error.start} is not UTF-8; left as it is", file=sys.stderr)
        return False
    if existing is None or existing.decode("utf-8-sig") != text:
        folder.write(name, text.encode("utf-8"))
    return True


def _left(folder: OutputFolder, written: set[str], display_path: Callable[[Path], str]) -> None:
    """Say which earlier imported files the catalog no longer has (they are kept: a person may have added to them)."""
    from relpolicy.importers.backstage import ENTITY_REF  # noqa: PLC0415

    for name in folder.names():
        if name.endswith(".yaml") and name not in written:
            data = folder.read(name) or b""
            if f"{ENTITY_REF}:".encode() in data:
                print(
                    f"{display_path(folder.file(name))}: note: imported before, but its entity is not in the catalog "
                    "read; left as it is (delete it if the service or team is gone)",
                    file=sys.stderr,
                )
