"""A Jinja2 sandbox that also bounds what a template may allocate and compute.

Jinja2's immutable sandbox stops a template from reaching Python internals, but not from using
the machine: ``{{ 'x' * 10**9 }}`` took 3 GB, and nested loops run as long as they like. A
template given with ``--templates`` comes from whoever can open a pull request, so every render
here is bounded, and a template past a bound stops with :class:`TemplateLimitError`, which the
caller reports in one line naming the template and the limit (exit 2):

* **Size.** No string or list a template builds may exceed ``MAX_TEMPLATE_CHARS`` items:
  ``*``, ``+`` and ``%`` are checked *before* they run (``intercepted_binops``), ``**`` may not
  make an integer of more than ``MAX_INTEGER_BITS``, and so may not ``*``; ``~`` (concatenation)
  and every filter are checked after, since each of their parts is already bounded; a width or
  count above ``MAX_TEMPLATE_CHARS`` is refused before it is used: an integer argument of a
  method of a string or list (``'x'.ljust(10**9)``), of ``range`` or of a filter that sizes its
  result (``center``, ``indent``, ``wordwrap``, ``truncate``, ``batch``, ``slice``), and a width
  or precision in a format string. Other calls may take any number (``'{:,}'.format(10**12)``).
  The whole output is bounded too.
* **Work.** Every ``for`` loop counts its iterations against ``MAX_LOOP_ITERATIONS`` per render
  (``range`` is also Jinja2's bounded one), and a deadline, ``MAX_RENDER_SECONDS``, is checked at
  every step the sandbox sees: each loop iteration, attribute access, call, operator, filter and
  output chunk. No thread and no signal is involved, so it works on any thread and platform;
  what it cannot interrupt is one long operation inside C code, which the size bounds keep short.
* **Memory, as a backstop.** Where the ``resource`` module exists, the address space may grow
  by at most ``MAX_RENDER_MEMORY`` while rendering (``RLIMIT_AS``, restored afterwards), so an
  allocation that slipped past the checks above fails with ``MemoryError`` instead of
  exhausting the machine.

The limits are module constants; change them here (docs/security.md, "Resource limits").
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from typing import Any, Final, NoReturn

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range
from jinja2.visitor import NodeTransformer

MAX_TEMPLATE_CHARS: Final = 20_000_000
"""Longest string or list a template may build, and longest output of one render."""

MAX_INTEGER_BITS: Final = 4096
"""Largest integer (in bits) that ``*`` or ``**`` may make."""

MAX_LOOP_ITERATIONS: Final = 5_000_000
"""Loop iterations one render may run, all loops together."""

MAX_RENDER_SECONDS: Final = 30.0
"""Wall-clock time one render may take."""

MAX_RENDER_MEMORY: Final = 1 << 30
"""Bytes the address space may grow by while a template renders (1 GiB), where limits exist."""

_BOUNDED_ITERATION: Final = "_relpolicy_bounded_iteration"
_BOUNDED_TEXT: Final = "_relpolicy_bounded_text"
_NUMBER: Final = re.compile(r"\d+")
_SIZING_FILTERS: Final = frozenset({"do_center", "do_indent", "do_wordwrap", "do_truncate", "do_batch", "do_slice"})
"""Filters whose integer arguments are a width or a count (the size of what they build)."""


class TemplateLimitError(SecurityError):
    """A template went past one of the limits above; the message names the limit."""


class _Budget:
    """What one render has left: a deadline and loop iterations."""

    __slots__ = ("deadline", "iterations")

    def __init__(self) -> None:
        self.deadline = time.monotonic() + MAX_RENDER_SECONDS
        self.iterations = MAX_LOOP_ITERATIONS


class _Bounded(NodeTransformer):
    """Routes every loop's iterable and every ``~`` through the checks, at compile time."""

    def visit_For(self, node: nodes.For) -> nodes.Node:  # noqa: N802 - the visitor's naming
        self.generic_visit(node)  # in place: children are replaced, the node is kept
        node.iter = nodes.Filter(node.iter, _BOUNDED_ITERATION, [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:  # noqa: N802 - the visitor's naming
        self.generic_visit(node)
        return nodes.Filter(node, _BOUNDED_TEXT, [], [], None, None, lineno=node.lineno)


class LimitedSandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with the bounds of this module on every render."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.budget = _Budget()
        for name, function in list(self.filters.items()):
            self.filters[name] = _bounded_filter(self, function)
        self.filters[_BOUNDED_ITERATION] = self._iterate
        self.filters[_BOUNDED_TEXT] = self._text

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        template = super()._parse(source, name, filename)
        return _Bounded().visit(template)  # type: ignore[no-any-return]

    def render_bounded(self, template: jinja2.Template, context: dict[str, Any]) -> str:
        """Render with a fresh budget, the output and the memory bounded."""
        self.budget = _Budget()
        parts: list[str] = []
        size = 0
        with _address_space_limit(MAX_RENDER_MEMORY):
            for chunk in template.generate(**context):
                self.tick()
                size += len(chunk)
                if size > MAX_TEMPLATE_CHARS:
                    _refuse_length("its output")
                parts.append(chunk)
        return "".join(parts)

    def tick(self) -> None:
        """One step of the template: past the deadline, stop it."""
        if time.monotonic() > self.budget.deadline:
            msg = f"it ran for more than {MAX_RENDER_SECONDS:g} s (MAX_RENDER_SECONDS)"
            raise TemplateLimitError(msg)

    def _iterate(self, iterable: Iterable[Any]) -> Iterator[Any]:
        budget = self.budget
        for item in iterable:
            budget.iterations -= 1
            if budget.iterations < 0:
                msg = f"its loops ran more than {MAX_LOOP_ITERATIONS:,} times (MAX_LOOP_ITERATIONS)"
                raise TemplateLimitError(msg)
            self.tick()
            yield item

    def _text(self, text: Any) -> Any:
        self.tick()
        _check_size(text, "a joined text")
        return text

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        self.tick()
        _check_binop(operator, left, right)
        result = super().call_binop(context, operator, left, right)
        _check_size(result, f"the result of `{operator}`")
        return result

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.tick()
        return super().getitem(obj, argument)

    def call(__self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja2's signature
        __self.tick()
        if isinstance(getattr(__obj, "__self__", None), str | bytes | list | tuple) or __obj in (range, safe_range):
            _check_arguments(args, kwargs.values())  # a width or count: 'x'.ljust(n), 'x'.zfill(n)
        result = super().call(__context, __obj, *args, **kwargs)
        _check_size(result, "the result of a call")
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format(value.__self__)
        return wrapped


def _bounded_filter(env: LimitedSandbox, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` with its integer arguments and its result checked (and the deadline)."""

    value = 2 if hasattr(function, "jinja_pass_arg") else 1  # the arguments after the filtered value
    sized = function.__name__ in _SIZING_FILTERS

    @functools.wraps(function)  # keeps jinja_pass_arg: a context-taking filter still gets one
    def bounded(*args: Any, **kwargs: Any) -> Any:
        env.tick()
        if sized:
            _check_arguments(args[value:], kwargs.values())
        if function.__name__ == "do_replace":
            _check_replace(*args, **kwargs)
        result = function(*args, **kwargs)
        _check_size(result, "the result of a filter")
        return result

    return bounded


def _refuse_length(what: str) -> NoReturn:
    msg = f"{what} would be longer than {MAX_TEMPLATE_CHARS:,} (MAX_TEMPLATE_CHARS)"
    raise TemplateLimitError(msg)


def _length(value: Any) -> int | None:
    return len(value) if isinstance(value, str | bytes | list | tuple) else None


def _check_size(value: Any, what: str) -> None:
    if isinstance(value, Sized) and isinstance(value, str | bytes | list | tuple | dict | set):
        if len(value) > MAX_TEMPLATE_CHARS:
            _refuse_length(what)
    elif isinstance(value, int) and value.bit_length() > MAX_INTEGER_BITS:
        msg = f"{what} would be an integer of more than {MAX_INTEGER_BITS:,} bits (MAX_INTEGER_BITS)"
        raise TemplateLimitError(msg)


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse an operation whose result would be too large, before it runs."""
    if operator == "*":
        for sequence, count in ((left, right), (right, left)):
            length = _length(sequence)
            if length is not None and isinstance(count, int) and length * count > MAX_TEMPLATE_CHARS:
                _refuse_length("the result of `*`")
        if isinstance(left, int) and isinstance(right, int):
            _check_bits(left.bit_length() + right.bit_length(), "*")
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
            _check_bits(math.ceil(right * math.log2(abs(left))), "**")
    elif operator == "+":
        left_length, right_length = _length(left), _length(right)
        if left_length is not None and right_length is not None and left_length + right_length > MAX_TEMPLATE_CHARS:
            _refuse_length("the result of `+`")
    elif operator == "%" and isinstance(left, str):
        _check_format(left)


def _check_bits(bits: int, operator: str) -> None:
    if bits > MAX_INTEGER_BITS:
        msg = (
            f"the result of `{operator}` would be an integer of more than {MAX_INTEGER_BITS:,} bits (MAX_INTEGER_BITS)"
        )
        raise TemplateLimitError(msg)


def _check_arguments(args: Iterable[Any], kwargs: Iterable[Any]) -> None:
    """An integer argument above MAX_TEMPLATE_CHARS (a width, a count) could build a huge text."""
    for value in (*args, *kwargs):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_TEMPLATE_CHARS:
            msg = f"an argument of {value:,} is above {MAX_TEMPLATE_CHARS:,} (MAX_TEMPLATE_CHARS)"
            raise TemplateLimitError(msg)


def _check_format(text: str) -> None:
    """A width or precision in a format string (``'{:>999999999}'``, ``'%999999999s'``)."""
    if any(len(number) > 8 or int(number) > MAX_TEMPLATE_CHARS for number in _NUMBER.findall(text)):
        msg = f"a format string asks for a width above {MAX_TEMPLATE_CHARS:,} (MAX_TEMPLATE_CHARS)"
        raise TemplateLimitError(msg)


def _check_replace(*args: Any, **kwargs: Any) -> None:
    """``replace`` multiplies: each match of ``old`` becomes ``new`` (its first argument is the
    evaluation context)."""
    values = [*args[1:4], *kwargs.values()]
    text, old, new = [*values, None, None, None][:3]
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        matches = text.count(old) if old else len(text) + 1
        if len(text) + matches * max(0, len(new) - len(old)) > MAX_TEMPLATE_CHARS:
            _refuse_length("the result of `replace`")


@contextlib.contextmanager
def _address_space_limit(extra: int) -> Iterator[None]:
    """Let the address space grow by at most ``extra`` bytes inside the block (POSIX only)."""
    try:
        import resource  # noqa: PLC0415 - POSIX only

        with open("/proc/self/statm", encoding="ascii") as statm:  # noqa: PTH123 - Linux; elsewhere no backstop
            used = int(statm.read().split()[0]) * resource.getpagesize()
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):
        yield
        return
    wanted = used + extra
    if (soft != resource.RLIM_INFINITY and soft <= wanted) or (hard != resource.RLIM_INFINITY and hard < wanted):
        yield  # already limited more tightly
        return
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
