"""``relpolicy import sloth``: Sloth's prometheus/v1 specs and PrometheusServiceLevel resources as policy files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import REPO

from relpolicy.importers._shared import policy_text
from relpolicy.importers.sloth import import_sloth
from relpolicy.render.load import load_policy
from relpolicy.source.parse import parse_yaml

from .conftest import INPUTS

Run = Callable[..., tuple[int, str, str]]


def test_import_of_the_sloth_inputs_matches_the_golden_files(
    run_import: Run, tmp_path: Path, golden_folder: Callable[[str, dict[str, str]], None]
) -> None:
    """Both spellings, several SLOs, raw and events SLIs, multi-document files and entries that do not map."""
    inputs = sorted(str(p.relative_to(REPO)) for p in (INPUTS / "sloth").iterdir())
    out = tmp_path / "out"
    code, stdout, stderr = run_import("sloth", *inputs, "--tier", "3", "--out", str(out))
    assert (code, stdout) == (1, "")
    texts = {path.name: path.read_text(encoding="utf-8") for path in sorted(out.iterdir())}
    texts["stderr.txt"] = stderr.replace(out.as_posix(), "OUT")
    golden_folder("sloth", texts)
    loaded = load_policy([out], tmp_path)
    assert loaded.problems == 0
    assert sorted(s.name for s in loaded.policy.slos) == [
        "home-wifi-good-wifi-client-satisfaction",
        "home-wifi-risk-wifi-client-satisfaction",
        "myservice-requests-availability",
        "svc01-slo-plugin",
        "svc01-slo1",
    ]


def _import(text: str) -> tuple[dict[str, str], list[str]]:
    imported = import_sloth(parse_yaml(text, "in.yaml").documents)
    files = {name: policy_text(documents, "test") for name, documents in imported.files.items()}
    ordered = sorted(imported.notes, key=lambda n: (n.location.line, n.location.col))
    return files, [f"{n.location.line}:{n.location.col} {n.severity}: {n.message}" for n in ordered]


_PLAIN = """\
version: prometheus/v1
service: api
labels: {team: core, tier: "1"}
slos:
  - name: requests
    objective: 99.95
    labels: {tier: "2"}
    sli:
      events:
        error_query: sum(rate(errors[{{.window}}]))
        total_query: sum(rate(requests[{{.window}}]))
"""

_K8S = """\
apiVersion: sloth.slok.dev/v1
kind: PrometheusServiceLevel
metadata:
  name: api
spec:
  service: api
  labels: {team: core, tier: "1"}
  slos:
    - name: requests
      objective: 99.95
      labels: {tier: "2"}
      sli:
        events:
          errorQuery: sum(rate(errors[{{.window}}]))
          totalQuery: sum(rate(requests[{{.window}}]))
"""


@pytest.mark.parametrize("text", [_PLAIN, _K8S], ids=["prometheus-v1", "PrometheusServiceLevel"])
def test_both_spellings_give_the_same_slo(text: str) -> None:
    """snake_case and camelCase specs map alike; the SLO's labels win over the service's, as in Sloth."""
    files, notes = _import(text)
    assert notes[1:] == []
    assert files["api.yaml"].split("# From")[1].split("\n", 1)[1] == (
        "apiVersion: relpolicy.dev/v1\n"
        "kind: SLO\n"
        "metadata:\n"
        "  name: api-requests\n"
        "  labels:\n"
        "    team: core\n"
        '    tier: "2"\n'
        "spec:\n"
        "  service: api\n"
        "  indicator:\n"
        "    type: custom\n"
        "    description: Sloth's SLI of `requests`.\n"
        "    prometheus:\n"
        "      errorQuery: sum(rate(errors[{{.window}}]))\n"
        "      totalQuery: sum(rate(requests[{{.window}}]))\n"
        "  objective: 99.95\n"
    )


def test_a_wrong_spelling_is_noted_at_the_sli() -> None:
    """camelCase fields in a prometheus/v1 spec are not read silently as snake_case ones."""
    text = _PLAIN.replace("error_query", "errorQuery").replace("total_query", "totalQuery")
    _, notes = _import(text)
    assert notes[-1] == ("10:9 note: SLO `api-requests`: sli.events needs `error_query` and `total_query`; not mapped")


def test_an_objective_of_100_is_refused_at_the_objective() -> None:
    """Sloth allows 100; a relpolicy objective is below 100 (there would be no budget), so it is an error there."""
    files, notes = _import(_PLAIN.replace("99.95", "100"))
    assert files == {}
    assert notes[-1] == (
        "6:16 error: SLO `api-requests` not imported: objective 100 is not strictly between 0 and 100 percent, as "
        "relpolicy's are (at 100 there is no error budget to alert on)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "version: prometheus/v2\nservice: api\n",
            "1:1 error: `version: prometheus/v2` is not read: only Sloth's `prometheus/v1` specs",
        ),
        ("- a list\n", "1:1 error: not a Sloth spec (`version: prometheus/v1` or a `PrometheusServiceLevel`); skipped"),
        ("version: prometheus/v1\nslos: []\n", "1:1 error: the spec names no `service`; not imported"),
        ("version: prometheus/v1\nservice: api\n", "1:1 error: service `api` has no `slos`"),
        (
            "version: prometheus/v1\nservice: api\nslos:\n  - objective: 99\n",
            "4:5 error: an SLO without a `name`; not imported",
        ),
        (
            "version: prometheus/v1\nservice: api\nslos:\n  - name: x\n    objective: 99\n"
            "    sli: {events: {error_query: e}}\n",
            "6:19 note: SLO `api-x`: sli.events needs `error_query` and `total_query`; not mapped",
        ),
        (
            "version: prometheus/v1\nservice: api\nslos:\n  - name: x\n    objective: 99\n    sli: {raw: {}}\n",
            "6:16 note: SLO `api-x`: sli.raw needs `error_ratio_query`; not mapped",
        ),
        (
            "version: prometheus/v1\nservice: api\nslos:\n  - name: x\n    objective: 99\n    sli: {}\n",
            "6:10 note: SLO `api-x`: the SLI is neither `events` nor `raw`; not mapped",
        ),
        (
            "version: prometheus/v1\nservice: api\nslos:\n  - name: x\n    objective: 99\n"
            "    sli: {raw: {error_ratio_query: 'r[{{.window}}]'}}\n    alerting: {name: X, silence: true}\n",
            "7:25 note: SLO `api-x`: alerting.silence is not a Sloth field; not mapped",
        ),
        (
            "version: prometheus/v1\nservice: api\nslos:\n  - name: x\n    objective: high\n",
            "5:16 error: SLO `api-x` not imported: no numeric `objective`",
        ),
    ],
    ids=[
        "v2",
        "list",
        "no-service",
        "no-slos",
        "no-name",
        "events-half",
        "raw-empty",
        "empty-sli",
        "alerting-extra",
        "text",
    ],
)
def test_each_problem_is_one_located_note(text: str, expected: str) -> None:
    """Specs that are not Sloth's, SLOs without a name or objective, incomplete SLIs, unknown alerting fields."""
    _, notes = _import(text)
    assert expected in notes
