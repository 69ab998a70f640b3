"""Benchmark `relpolicy check` against a bare PyYAML parse of the same files (``nox -s bench``).

For each size (1k and 10k services; 50k with ``--large``) the runner generates a repo with
:mod:`benchmarks.generate` and then, ``--repeat`` times, interleaved so that a busy moment of
the shared machine hits every measurement alike:

1. the yardstick: a fresh interpreter that reads every file and loads it with PyYAML's C
   ``CSafeLoader`` (what a naive tool does), timed inside (read, parse) and as a whole process;
2. the phases of ``relpolicy.engine.check`` in a fresh interpreter: imports, discover, load
   (read and parse), build (validation), assemble, rules, the graph code the rules call,
   reporting, and the same graph facts computed again on their own beside a bare networkx build;
3. the real command, ``python -m relpolicy check DIR``, as a whole process, with its peak memory;
4. ``python -m relpolicy fmt --check`` on a formatted copy of the repo (made once with
   ``relpolicy fmt``), as a whole process: the pre-commit and CI case, where every file is already
   in the canonical layout.
5. ``python -m relpolicy diff REPO CHANGED`` as a whole process, where CHANGED is a copy of the
   repo with one objective lowered in one file (made once): a pull request's diff, two sides
   checked and compared; and ``relpolicy diff HEAD`` in a git repository of the repo whose work
   tree has that change, the base read with ``git archive``.

Times are medians. The headline figure is a ratio measured in the same run, so that it means
the same on a slow or busy machine: full ``check`` process / bare-parse process. Growth is the
10k (or 50k) time divided by the 1k (or 10k) time, over the size ratio: 1.0 is linear.

Results go to ``benchmarks/results/latest.json`` and ``latest.md`` (``--out`` to change).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import hashlib
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final, NamedTuple

from benchmarks import generate as generate_module
from benchmarks.generate import AS_OF, generate

REPO: Final = Path(__file__).resolve().parent.parent
SIZES: Final = (1_000, 10_000)
LARGE: Final = 50_000
WORKDIR: Final = Path(tempfile.gettempdir(), "relpolicy-bench")
"""Where repos are generated and kept between runs (outside the checkout: 50k files)."""

PHASES: Final = (
    "imports",
    "discover",
    "read",
    "parse",
    "build",
    "assemble",
    "rules",
    "graph",
    "finish",
    "report",
)
"""Phases of a check, in order. ``rules`` excludes the graph code the rules call (``graph``);
``finish`` is what ``check`` does after the rules (rating, suppressions, baseline, the collector)."""


# --- Child processes: each measurement runs in a fresh interpreter ------------------------------


def _policy_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def bare_parse(root: Path) -> dict[str, float]:
    """The yardstick: read every file and load it with PyYAML's C loader, as a naive tool would."""
    import yaml  # noqa: PLC0415 - imported inside the measured process only

    started = time.perf_counter()
    texts = [p.read_bytes().decode("utf-8") for p in _policy_files(root)]
    read = time.perf_counter()
    documents = 0
    for text in texts:
        for _ in yaml.load_all(text, Loader=yaml.CSafeLoader):
            documents += 1
    parsed = time.perf_counter()
    return {"read": read - started, "parse": parsed - read, "documents": documents}


class _Stopwatch:
    """Accumulates the time spent in wrapped functions, per phase, outermost calls of each phase only.

    Phases may nest (``parse`` runs inside ``load``, ``graph`` inside ``rules``); the caller
    subtracts the inner phase from the outer one.
    """

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self._depth: dict[str, int] = {}

    def wrap(self, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self._depth.get(phase):
                return function(*args, **kwargs)
            self._depth[phase] = 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.totals[phase] = self.totals.get(phase, 0.0) + time.perf_counter() - started
                self._depth[phase] = 0

        return timed


GRAPH_WALKS = ("__init__", "hard_closure", "hard_needs", "impact")
"""The graph's methods that walk it; its accessors (``dependents``, ``hard_entries``...) are left
untimed: a stopwatch around each of their ~100,000 calls would cost more than the calls."""


def _instrument_graph(stopwatch: _Stopwatch) -> None:
    """Time the graph's construction, facts and walks (facts are computed lazily, inside the rules)."""
    from relpolicy import graph  # noqa: PLC0415

    for name, attribute in list(vars(graph.ServiceGraph).items()):
        if isinstance(attribute, functools.cached_property):
            attribute.func = stopwatch.wrap("graph", attribute.func)
        elif name in GRAPH_WALKS:
            setattr(graph.ServiceGraph, name, stopwatch.wrap("graph", attribute))


def check_phases(root: Path, as_of: dt.date) -> dict[str, Any]:
    """Run ``engine.check`` with its stages timed, then the report, then the graph on its own."""
    started = time.perf_counter()
    from relpolicy import engine  # noqa: PLC0415 - the import time is one of the phases
    from relpolicy.report import text  # noqa: PLC0415
    from relpolicy.source import loader  # noqa: PLC0415

    imports = time.perf_counter() - started
    stopwatch = _Stopwatch()
    # The loader reads and parses in one loop; time the parse inside it to split the two.
    loader.parse_yaml = stopwatch.wrap("parse", loader.parse_yaml)  # type: ignore[attr-defined]  # patched in place
    stages = {"discover": "discover", "load": "load", "build": "build", "assemble": "assemble", "run_rules": "rules"}
    for name, phase in stages.items():
        setattr(engine, name, stopwatch.wrap(phase, getattr(engine, name)))
    _instrument_graph(stopwatch)
    began = time.perf_counter()
    report = engine.check([root], as_of=as_of)
    total = time.perf_counter() - began
    began = time.perf_counter()
    text.render(report, color=False)
    rendered = time.perf_counter() - began
    phases = dict(stopwatch.totals)
    load = phases.pop("load")
    phases["read"] = load - phases["parse"]
    phases["rules"] -= phases.get("graph", 0.0)
    phases["finish"] = total - sum(phases.values())
    phases["imports"] = imports
    phases["report"] = rendered
    result: dict[str, Any] = {
        "phases": {name: phases.get(name, 0.0) for name in PHASES},
        "check": total,
        "findings": len(report.findings),
        "files": report.files,
        "documents": report.documents,
        "by_rule": _count_by_rule(report.findings),
    }
    del report
    result["graph_alone"] = _graph_alone(root)
    return result


def _count_by_rule(findings: Sequence[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.rule_id] = counts.get(finding.rule_id, 0) + 1
    return dict(sorted(counts.items()))


def _graph_alone(root: Path) -> dict[str, float]:
    """The graph facts computed on their own, beside a bare networkx build of the same edges."""
    import networkx as nx  # noqa: PLC0415

    from relpolicy import engine  # noqa: PLC0415
    from relpolicy.graph import ServiceGraph  # noqa: PLC0415
    from relpolicy.model.build import build  # noqa: PLC0415
    from relpolicy.policy import assemble  # noqa: PLC0415
    from relpolicy.source.loader import discover, load  # noqa: PLC0415

    timings: dict[str, float] = {}
    with engine._collector_paused():  # the same collector state as a check
        loaded = load(discover([root]))
        built = build(loaded.documents)
        policy, _ = assemble(built)
        began = time.perf_counter()
        edges = [(s.name, t) for s in policy.services for d in s.spec.depends_on for t in d.names]
        digraph: nx.DiGraph[str] = nx.DiGraph()
        digraph.add_nodes_from(s.name for s in policy.services)
        digraph.add_edges_from(edges)
        list(nx.strongly_connected_components(digraph))
        timings["networkx_build_and_scc"] = time.perf_counter() - began
        began = time.perf_counter()
        graph = ServiceGraph(policy)
        timings["graph_build"] = time.perf_counter() - began
        for fact in ("cycles", "ceilings", "slowest_recovery", "weakest_coverage", "tier1_dependents"):
            began = time.perf_counter()
            getattr(graph, fact)
            timings[fact] = time.perf_counter() - began
    return timings


# --- The parent: generating, running children, summarising -------------------------------------


class Measured(NamedTuple):
    """What one child process cost."""

    wall: float
    cpu: float
    """User + system CPU seconds: less disturbed than wall time when the machine is shared."""
    peak_memory: int
    """Peak resident memory, bytes."""
    stdout: str


def _child_environment() -> dict[str, str]:
    """The children's environment: with bytecode, as an installed package runs.

    Without it (``PYTHONDONTWRITEBYTECODE``, set on some CI machines and containers) every run
    would compile relpolicy and its libraries again: ~0.5 s, most of a small repo's check. The
    bytecode goes to a directory of the benchmark's own, warmed by :func:`_warm_bytecode`.
    """
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    environment["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir(), "relpolicy-bench-pycache"))
    return environment


def _warm_bytecode() -> None:
    """Import everything the measured commands import once, so no measured run compiles."""
    python = sys.executable
    _run_measured([python, "-m", "benchmarks.run", "--child-phases", "policies", "--as-of", AS_OF.isoformat()])
    _run_measured([python, "-m", "benchmarks.run", "--child-bare", "policies"])
    _run_measured([python, "-m", "relpolicy", "check", "policies", "--fail-on", "never", "--no-cache"])


def _run_measured(argv: list[str], *, capture: bool = False, cwd: Path = REPO) -> Measured:
    """Run a command (in ``cwd``) and measure it."""
    out_path = Path(os.environ.get("TMPDIR", "/tmp"), f"relpolicy-bench-{os.getpid()}.out")  # noqa: S108
    with out_path.open("w+") as out:
        started = time.perf_counter()
        stdout = out if capture else subprocess.DEVNULL
        process = subprocess.Popen(argv, cwd=cwd, stdout=stdout, env=_child_environment())  # noqa: S603 - our own interpreter
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    out_path.unlink()
    if process.returncode not in (0, 1):
        msg = f"{' '.join(argv)} exited with {process.returncode}"
        raise RuntimeError(msg)
    return Measured(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, text)


def _repo(workdir: Path, services: int, seed: int) -> Path:
    root = workdir / f"services-{services}-seed-{seed}"
    stamp = root / ".generated.json"
    # A repo is reused while the generator's code is unchanged (its hash is in the stamp).
    generator = hashlib.sha256(Path(generate_module.__file__).read_bytes()).hexdigest()
    wanted = {"services": services, "seed": seed, "generator": generator}
    if stamp.is_file() and json.loads(stamp.read_text()) == wanted:
        return root
    if root.exists():
        import shutil  # noqa: PLC0415

        shutil.rmtree(root)
    summary = generate(root, services, seed)
    stamp.write_text(json.dumps(wanted))
    print(f"  generated {root}: {summary.files} files, {summary.lines} lines, {summary.edges} edges", flush=True)
    return root


def formatted_copy(root: Path) -> Path:
    """A copy of ``root`` in the canonical layout, kept while ``root`` and the formatter are unchanged."""
    import shutil  # noqa: PLC0415

    from relpolicy.editing import layout  # noqa: PLC0415

    copy = root.with_name(root.name + "-formatted")
    stamp = copy / ".formatted.json"
    wanted = {
        "source": (root / ".generated.json").read_text() if (root / ".generated.json").is_file() else str(root),
        "layout": hashlib.sha256(Path(layout.__file__).read_bytes()).hexdigest(),
    }
    if stamp.is_file() and json.loads(stamp.read_text()) == wanted:
        return copy
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(root, copy)
    subprocess.run([sys.executable, "-m", "relpolicy", "fmt", str(copy)], check=True, capture_output=True)  # noqa: S603
    stamp.write_text(json.dumps(wanted))
    return copy


def changed_copy(root: Path) -> Path:
    """A copy of ``root`` with one objective lowered in the first file that has one (kept while ``root`` is)."""
    import shutil  # noqa: PLC0415

    copy = root.with_name(root.name + "-changed")
    stamp = copy / ".changed.json"
    wanted = {"source": (root / ".generated.json").read_text() if (root / ".generated.json").is_file() else str(root)}
    if stamp.is_file() and json.loads(stamp.read_text()) == wanted:
        return copy
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(root, copy)
    for path in _policy_files(copy):
        text = path.read_text(encoding="utf-8")
        if "objective: 99.95\n" in text:
            path.write_text(text.replace("objective: 99.95\n", "objective: 99.9\n", 1), encoding="utf-8")
            break
    stamp.write_text(json.dumps(wanted))
    return copy


def revision_repo(root: Path) -> Path:
    """A git repository whose last commit holds ``root`` as ``policies/``, with one objective lowered in the work
    tree (made once): ``relpolicy diff HEAD`` there is a pull request's diff, the base read with ``git archive``."""
    import shutil  # noqa: PLC0415

    changed = changed_copy(root)
    repo = root.with_name(root.name + "-git")
    stamp = repo / ".git" / "relpolicy-bench.json"
    wanted = {"source": (changed / ".changed.json").read_text()}
    if stamp.is_file() and json.loads(stamp.read_text()) == wanted:
        return repo
    if repo.exists():
        shutil.rmtree(repo)
    shutil.copytree(root, repo / "policies")
    identity = ["-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    for args in (["init", "-q"], ["add", "-A", "policies"], [*identity, "commit", "-q", "-m", "base"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)  # noqa: S603, S607
    shutil.rmtree(repo / "policies")
    shutil.copytree(changed, repo / "policies")
    stamp.write_text(json.dumps(wanted))
    return repo


def _measure_diffs(root: Path, changed: Path, revisions: Path, as_of: dt.date) -> tuple[Measured, Measured]:
    """``relpolicy diff`` of two directories, and ``relpolicy diff HEAD`` in the git repository; both cold."""
    python = sys.executable
    # --no-cache, as the check they are compared with
    common = ["--as-of", as_of.isoformat(), "--no-cache"]
    folders = _run_measured([python, "-m", "relpolicy", "diff", str(root), str(changed), *common], capture=True)
    revision = _run_measured([python, "-m", "relpolicy", "diff", "HEAD", *common], capture=True, cwd=revisions)
    for measured in (folders, revision):
        if "spec.objective: 99.95 -> 99.9" not in measured.stdout:
            msg = f"relpolicy diff of {root} did not report the lowered objective"
            raise RuntimeError(msg)
    return folders, revision


def measure(root: Path, repeat: int, as_of: dt.date) -> dict[str, Any]:
    """Medians of ``repeat`` interleaved runs of the yardstick, the phases and the real command."""
    python = sys.executable
    bare: list[dict[str, float]] = []
    phases: list[dict[str, Any]] = []
    processes: dict[str, list[float]] = {"bare": [], "check": [], "fmt_check": [], "diff": [], "diff_git": []}
    cpu: dict[str, list[float]] = {"bare": [], "check": [], "fmt_check": [], "diff": [], "diff_git": []}
    formatted = formatted_copy(root)
    changed = changed_copy(root)
    revisions = revision_repo(root)
    memory: dict[str, list[int]] = {"bare": [], "check": []}
    for run in range(repeat):
        yardstick = _run_measured([python, "-m", "benchmarks.run", "--child-bare", str(root)], capture=True)
        bare.append(json.loads(yardstick.stdout))
        processes["bare"].append(yardstick.wall)
        cpu["bare"].append(yardstick.cpu)
        memory["bare"].append(yardstick.peak_memory)
        child = _run_measured(
            [python, "-m", "benchmarks.run", "--child-phases", str(root), "--as-of", as_of.isoformat()], capture=True
        )
        phases.append(json.loads(child.stdout))
        full = _run_measured(
            # --no-cache: every run is measured cold, as CI runs (the cache's warm figures are in docs/performance.md)
            [
                python,
                "-m",
                "relpolicy",
                "check",
                str(root),
                "--as-of",
                as_of.isoformat(),
                "--fail-on",
                "never",
                "--no-cache",
            ]
        )
        processes["check"].append(full.wall)
        cpu["check"].append(full.cpu)
        memory["check"].append(full.peak_memory)
        fmt = _run_measured([python, "-m", "relpolicy", "fmt", "--check", str(formatted)])
        processes["fmt_check"].append(fmt.wall)
        cpu["fmt_check"].append(fmt.cpu)
        diff, diff_git = _measure_diffs(root, changed, revisions, as_of)
        for key, measured in (("diff", diff), ("diff_git", diff_git)):
            processes[key].append(measured.wall)
            cpu[key].append(measured.cpu)
        print(
            f"  run {run + 1}/{repeat}: bare {yardstick.wall:.2f} s, check {full.wall:.2f} s, "
            f"fmt --check {fmt.wall:.2f} s, diff {diff.wall:.2f} s, diff HEAD {diff_git.wall:.2f} s",
            flush=True,
        )
    med = statistics.median
    result: dict[str, Any] = {
        "files": phases[0]["files"],
        "documents": phases[0]["documents"],
        "findings": phases[0]["findings"],
        "findings_by_rule": phases[0]["by_rule"],
        "bare_read": med(b["read"] for b in bare),
        "bare_parse": med(b["parse"] for b in bare),
        "bare_process": med(processes["bare"]),
        "check_in_process": med(p["check"] for p in phases),
        "check_process": med(processes["check"]),
        "bare_process_cpu": med(cpu["bare"]),
        "check_process_cpu": med(cpu["check"]),
        "phases": {name: med(p["phases"][name] for p in phases) for name in PHASES},
        "graph_alone": {key: med(p["graph_alone"][key] for p in phases) for key in phases[0]["graph_alone"]},
        "peak_memory_bare": max(memory["bare"]),
        "peak_memory_check": max(memory["check"]),
        "runs": repeat,
    }
    result["fmt_check_process"] = med(processes["fmt_check"])
    result["fmt_check_process_cpu"] = med(cpu["fmt_check"])
    result["ratio_fmt_check"] = result["fmt_check_process"] / result["check_process"]
    result["ratio_fmt_check_cpu"] = result["fmt_check_process_cpu"] / result["check_process_cpu"]
    result["diff_process"] = med(processes["diff"])
    result["diff_process_cpu"] = med(cpu["diff"])
    result["ratio_diff"] = result["diff_process"] / result["check_process"]
    result["ratio_diff_cpu"] = result["diff_process_cpu"] / result["check_process_cpu"]
    result["diff_git_process"] = med(processes["diff_git"])
    result["diff_git_process_cpu"] = med(cpu["diff_git"])
    result["ratio_diff_git"] = result["diff_git_process"] / result["check_process"]
    result["ratio_diff_git_cpu"] = result["diff_git_process_cpu"] / result["check_process_cpu"]
    result["ratio_process"] = result["check_process"] / result["bare_process"]
    result["ratio_process_cpu"] = result["check_process_cpu"] / result["bare_process_cpu"]
    result["ratio_in_process"] = result["check_in_process"] / result["bare_parse"]
    return result


def small_repo(repeat: int) -> dict[str, float]:
    """Whole-process times of the light paths: ``--version`` and the example organisation."""
    python = sys.executable
    version = [_run_measured([python, "-m", "relpolicy", "--version"]).wall for _ in range(repeat)]
    example = [
        _run_measured([python, "-m", "relpolicy", "check", "policies", "--as-of", AS_OF.isoformat()]).wall
        for _ in range(repeat)
    ]
    fmt = [_run_measured([python, "-m", "relpolicy", "fmt", "--check", "policies"]).wall for _ in range(repeat)]
    bare = [_run_measured([python, "-c", "pass"]).wall for _ in range(repeat)]
    return {
        "interpreter": statistics.median(bare),
        "version": statistics.median(version),
        "check_examples": statistics.median(example),
        "fmt_check_examples": statistics.median(fmt),
    }


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import pydantic  # noqa: PLC0415
    import yaml  # noqa: PLC0415

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "pyyaml": yaml.__version__,
        "libyaml": bool(yaml.__with_libyaml__),
        "pydantic": pydantic.VERSION,
        "system": platform.platform(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
    }


def growth(results: dict[str, dict[str, Any]], key: Callable[[dict[str, Any]], float]) -> dict[str, float]:
    """Time ratio between consecutive sizes over their size ratio (1.0 = linear)."""
    sizes = sorted(results, key=int)
    return {
        f"{small}->{large}": (key(results[large]) / key(results[small])) / (int(large) / int(small))
        for small, large in itertools.pairwise(sizes)
    }


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def markdown(summary: dict[str, Any]) -> str:
    """The results as the Markdown tables the docs show."""
    results: dict[str, dict[str, Any]] = summary["sizes"]
    sizes = sorted(results, key=int)
    head = "| | " + " | ".join(f"{int(s):,} services" for s in sizes) + " |"
    rule = "|---|" + "---|" * len(sizes)

    def row(label: str, value: Callable[[dict[str, Any]], str]) -> str:
        return f"| {label} | " + " | ".join(value(results[s]) for s in sizes) + " |"

    host = summary["machine"]
    lines = [
        (
            f"Measured {host['date']} on {host['cpu']}, {host['cores']} cores, Python {host['python']}, "
            f"PyYAML {host['pyyaml']} (libyaml: {host['libyaml']}), pydantic {host['pydantic']}."
        ),
        "",
        head,
        rule,
        row("runs (medians of)", lambda r: str(r["runs"])),
        row("files / documents", lambda r: f"{r['files']:,} / {r['documents']:,}"),
        row("findings", lambda r: f"{r['findings']:,}"),
        row("**yardstick**: bare PyYAML C load, whole process", lambda r: _ms(r["bare_process"])),
        row("... of which reading / C `load_all`", lambda r: f"{_ms(r['bare_read'])} / {_ms(r['bare_parse'])}"),
        row("**`relpolicy check`, whole process**", lambda r: _ms(r["check_process"])),
        row("**ratio check / yardstick (processes)**", lambda r: f"**{r['ratio_process']:.2f}**"),
        row(
            "CPU time: yardstick / check / ratio",
            lambda r: f"{_ms(r['bare_process_cpu'])} / {_ms(r['check_process_cpu'])} / {r['ratio_process_cpu']:.2f}",
        ),
        row("`check()` in process / bare C `load_all`", lambda r: f"{r['ratio_in_process']:.2f}"),
        row(
            "`relpolicy fmt --check` (formatted copy), whole process / CPU",
            lambda r: f"{_ms(r['fmt_check_process'])} / {_ms(r['fmt_check_process_cpu'])}",
        ),
        row(
            "**ratio fmt --check / check** (process, CPU)",
            lambda r: f"**{r['ratio_fmt_check']:.2f}**, {r['ratio_fmt_check_cpu']:.2f}",
        ),
        row(
            "`relpolicy diff` (one objective lowered in one file), whole process / CPU",
            lambda r: f"{_ms(r.get('diff_process', 0.0))} / {_ms(r.get('diff_process_cpu', 0.0))}",
        ),
        row(
            "**ratio diff / check** (process, CPU; target at most 2.5)",
            lambda r: f"**{r.get('ratio_diff', 0.0):.2f}**, {r.get('ratio_diff_cpu', 0.0):.2f}",
        ),
        row(
            "`relpolicy diff HEAD` (base from `git archive`, head the work tree), whole process / CPU",
            lambda r: f"{_ms(r.get('diff_git_process', 0.0))} / {_ms(r.get('diff_git_process_cpu', 0.0))}",
        ),
        row(
            "**ratio diff HEAD / check** (process, CPU)",
            lambda r: f"**{r.get('ratio_diff_git', 0.0):.2f}**, {r.get('ratio_diff_git_cpu', 0.0):.2f}",
        ),
        row(
            "peak memory: yardstick / check",
            lambda r: f"{r['peak_memory_bare'] / 2**20:,.0f} / {r['peak_memory_check'] / 2**20:,.0f} MiB",
        ),
    ]

    def seconds(group: str, key: str) -> Callable[[dict[str, Any]], str]:
        return lambda r: _ms(r[group].get(key, 0.0))

    lines += [row(f"phase: {phase}", seconds("phases", phase)) for phase in PHASES]
    lines.append(
        row(
            "graph + rules share of `check()`",
            lambda r: f"{(r['phases']['graph'] + r['phases']['rules']) / r['check_in_process']:.0%}",
        )
    )
    keys = sorted({k for r in results.values() for k in r["graph_alone"]})
    lines += [row(f"graph alone: {k}", seconds("graph_alone", k)) for k in keys]
    lines += ["", "Growth (time ratio / size ratio; 1.0 is linear):", ""]
    for label, values in summary["growth"].items():
        shown = ", ".join(f"{step}: {value:.2f}" for step, value in values.items())
        lines.append(f"- {label}: {shown}")
    small = summary.get("small")
    if small:
        lines += [
            "",
            (
                f"Small repo (whole process): `relpolicy --version` {_ms(small['version'])}, "
                f"`relpolicy check policies/` {_ms(small['check_examples'])}, "
                f"`relpolicy fmt --check policies/` {_ms(small.get('fmt_check_examples', 0.0))}, "
                f"bare interpreter {_ms(small['interpreter'])}."
            ),
        ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Command line; ``--child-*`` options are the measured child processes."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="service counts (default 1k 10k)")
    parser.add_argument("--large", action="store_true", help=f"also measure {LARGE:,} services")
    parser.add_argument("--repeat", type=int, default=5, help="runs per size; medians are reported (default 5)")
    parser.add_argument("--large-repeat", type=int, default=1, help=f"runs at {LARGE:,} services (default 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=WORKDIR, help=f"where repos are generated (default {WORKDIR})")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=AS_OF)
    parser.add_argument("--child-bare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-phases", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_bare:
        print(json.dumps(bare_parse(args.child_bare)))
        return 0
    if args.child_phases:
        print(json.dumps(check_phases(args.child_phases, args.as_of)))
        return 0
    sizes = sorted({*args.sizes, *([LARGE] if args.large else [])})
    _warm_bytecode()
    results: dict[str, dict[str, Any]] = {}
    for services in sizes:
        print(f"{services:,} services", flush=True)
        root = _repo(args.workdir, services, args.seed)
        results[str(services)] = measure(root, args.repeat if services < LARGE else args.large_repeat, args.as_of)
    small = small_repo(args.repeat)
    summary: dict[str, Any] = {
        "machine": machine(),
        "seed": args.seed,
        "sizes": results,
        "small": small,
        "growth": {
            "full check process": growth(results, lambda r: r["check_process"]),
            "full check process, CPU time": growth(results, lambda r: r["check_process_cpu"]),
            "check() in process": growth(results, lambda r: r["check_in_process"]),
            "yardstick": growth(results, lambda r: r["bare_process"]),
            "graph (in check)": growth(results, lambda r: r["phases"]["graph"] or 1e-9),
            "rules (in check)": growth(results, lambda r: r["phases"]["rules"] or 1e-9),
            "load and build (parse, validate)": growth(
                results, lambda r: r["phases"]["read"] + r["phases"]["parse"] + r["phases"]["build"]
            ),
        },
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(summary, indent=2) + "\n")
    table = markdown(summary)
    (args.out / "latest.md").write_text(table)
    print()
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
