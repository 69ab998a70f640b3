"""The Jinja2 environment the documents are rendered with, and turning template errors into one line.

Templates ship in the package (``relpolicy/templates``). A ``--templates DIR`` is searched first,
so a user may override one template and keep the others. Every template, built-in or not, runs
in Jinja2's immutable sandbox: a template from a policy repository is code from whoever can open
a pull request, and must not reach Python internals (``''.__class__``) or change the data it is
given. HTML templates (``*.html.j2``) are autoescaped; Markdown ones are not: they escape policy
text with the ``text`` filter (prose) and the ``cell`` filter (table cells). An undefined name is
an error, not an empty string, so a typo in a template cannot silently drop a section.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError

from relpolicy.errors import RelpolicyError
from relpolicy.findings import Location
from relpolicy.render.sandbox import LimitedSandbox, TemplateLimitError

PACKAGE_TEMPLATES = "templates"


def markdown_text(value: object) -> str:
    """Policy text safe in Markdown prose: ``<`` and ``>`` as entities, so that GitHub does not take
    ``<EU>`` for an HTML tag and drop it (other Markdown in the text is kept, as its author meant)."""
    return str(value).replace("<", "&lt;").replace(">", "&gt;")


def markdown_cell(value: object) -> str:
    """Policy text safe in a Markdown table cell: as :func:`markdown_text`, pipes escaped, lines joined."""
    return markdown_text(" ".join(str(value).split())).replace("|", "\\|")


def environment(templates: Path | None = None) -> jinja2.Environment:
    """The sandboxed environment: ``templates`` (when given) first, then the built-in templates."""
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        if not templates.is_dir():
            msg = f"{templates}: no such templates directory"
            raise RelpolicyError(msg)
        from relpolicy.render.template_files import TemplateFolderLoader  # noqa: PLC0415 - only with --templates

        loaders.append(TemplateFolderLoader(templates))  # regular files inside the folder only, never a FIFO
    loaders.append(jinja2.PackageLoader("relpolicy", PACKAGE_TEMPLATES, encoding="utf-8"))
    env = LimitedSandbox(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2", "html"), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["cell"] = markdown_cell
    env.filters["text"] = markdown_text
    return env


def render_template(env: jinja2.Environment, name: str, **context: Any) -> str:
    """Render template ``name``; any template error becomes a RelpolicyError naming the template line."""
    try:
        template = env.get_template(name)
        if isinstance(env, LimitedSandbox):
            return env.render_bounded(template, context)
        return template.render(**context)
    except TemplateLimitError as error:
        msg = f"template `{name}` stopped: {error}"
        raise RelpolicyError(msg, _template_line(error)) from None
    except (MemoryError, OverflowError, RecursionError) as error:
        what = {
            MemoryError: "ran out of the memory it may use (MAX_RENDER_MEMORY)",
            RecursionError: "recursed too deep",
        }
        msg = f"template `{name}` stopped: it {what.get(type(error), f'made a number too large ({error})')}"
        raise RelpolicyError(msg, _template_line(error)) from None
    except jinja2.TemplateNotFound as error:
        msg = f"template `{error.name}` not found (in --templates or the built-in templates)"
        raise RelpolicyError(msg) from None
    except jinja2.TemplateSyntaxError as error:
        where = Location(error.filename or error.name or name, error.lineno, 1, error.lineno, 1)
        msg = f"template syntax error: {error.message}"
        raise RelpolicyError(msg, where) from None
    except SecurityError as error:
        msg = f"template `{name}` tried something the sandbox forbids: {error}"
        raise RelpolicyError(msg, _template_line(error)) from None
    except jinja2.TemplateError as error:
        msg = f"template `{name}` failed: {error}"
        raise RelpolicyError(msg, _template_line(error)) from None


def _template_line(error: BaseException) -> Location | None:
    """Where in a template an error happened: Jinja2 rewrites tracebacks to point at template lines."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith(".j2")]
    if not frames or frames[-1].lineno is None:
        return None
    line = frames[-1].lineno
    return Location(frames[-1].filename, line, 1, line, 1)
