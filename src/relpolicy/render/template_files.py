"""Loading user templates (``--templates DIR``) as the policy files are read: regular files inside the folder only.

jinja2's ``FileSystemLoader`` opens whatever a name leads to, so a template that is a link to
``/proc/self/environ`` would put the environment into the rendered documents, and a FIFO would
make ``render`` wait forever. This loader reads through :func:`relpolicy.fileio.read_input`: a
regular file, resolving inside the templates folder, opened without blocking. Anything else is a
one-line error naming the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path

from relpolicy.errors import RelpolicyError
from relpolicy.fileio import read_input


class TemplateFolderLoader(jinja2.BaseLoader):
    """Templates from one folder, by name (``runbook.md.j2``, ``partials/owner.md.j2``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        """The template's text, its file name (for error locations) and an always-true "up to date"."""
        del environment  # the same text whatever the environment
        path = self.folder.joinpath(*split_template_path(template))  # `..` is TemplateNotFound
        if not path.exists() and not path.is_symlink():
            raise jinja2.TemplateNotFound(template)
        data = read_input(path, "template", within=self.folder)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            msg = f"{path}: cannot read the template: it is not UTF-8 ({error.reason} at byte {error.start})"
            raise RelpolicyError(msg) from None
        return text, os.path.normpath(path), lambda: True
