"""The outputs in the programs that read them: the HTML page in headless Chromium, DOT in Graphviz,
Mermaid in the Mermaid library (run in Chromium), plus a structural check of Mermaid that needs
no tool at all."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from tests.render.conftest import GOLDEN, REPO, SCENARIOS, loaded

DumpDom = Callable[..., str]


class Tables(HTMLParser):
    """Rows of every table by id: the text of each cell, and each row's data-service."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[list[str]]] = {}
        self.ready: dict[str, str | None] = {}
        self.services: dict[str, list[str]] = {}
        self._table: str | None = None
        self._in_body = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table":
            self._table = attributes.get("id") or ""
            self.rows[self._table] = []
            self.ready[self._table] = attributes.get("data-sortable")
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body and self._table is not None:
            self.rows[self._table].append([])
            if (service := attributes.get("data-service")) is not None:
                self.services.setdefault(self._table, []).append(service)
        elif tag == "td" and self._in_body:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._table is not None:
            self.rows[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(dom: str) -> Tables:
    parser = Tables()
    parser.feed(dom)
    return parser


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_html_page_renders_in_chromium(scenario: str, chromium: DumpDom, tmp_path: Path) -> None:
    """Every service has its row, every SLA its row, and the sorting script ran on every table."""
    page = tmp_path / "sla.html"
    page.write_bytes((GOLDEN / scenario / "sla.html").read_bytes())
    found = tables(chromium(page))
    policy, _ = loaded(SCENARIOS[scenario])
    assert len(found.rows["services-table"]) == len(policy.services)
    assert sorted(found.services["services-table"]) == sorted(s.name for s in policy.services)
    promised = {s.spec.service for s in policy.slos if s.spec.sla is not None and s.spec.is_availability}
    assert sorted(found.services["sla-table"]) == sorted(promised)
    assert set(found.ready.values()) == {"ready"}
    levels = [row[0] for key, rows in found.rows.items() if key.startswith("priorities-") for row in rows]
    assert levels == [lv.name for p in policy.priority_policies for lv in p.spec.levels]
    if scenario == "fixture":
        assert found.rows["services-table"][1][:4] == ["shop", "1", "99.9%", "30d"]
        assert found.rows["services-table"][1][4:7] == ["43.2 min", "129.6 min (2h 9m 36s)", "525.6 min (8h 45m 36s)"]
        assert found.rows["services-table"][0][3:8] == [
            "month",
            "21.6 min",
            "64.8 min (1h 4m 48s)",
            "262.8 min (4h 22m 48s)",
            "20.16-22.32 min (28-31 days)",
        ]


def test_columns_sort_on_a_click(chromium: DumpDom, tmp_path: Path) -> None:
    """Two clicks on the Objective heading sort descending, with services without an objective last."""
    html = (GOLDEN / "fixture" / "sla.html").read_text(encoding="utf-8")
    click = "<script>var h = document.querySelectorAll('#services-table th')[2]; h.click(); h.click();</script>"
    page = tmp_path / "sorted.html"
    page.write_text(html.replace("</body>", click + "\n</body>"), encoding="utf-8")
    assert tables(chromium(page)).services["services-table"] == ["db", "shop", "pay-a", "mail", "pay-b", "end"]


def golden_files(suffix: str) -> list[Path]:
    return sorted(GOLDEN.rglob(f"*.{suffix}"))


def test_dot_is_accepted_by_graphviz(graphviz_dot: str) -> None:
    """Every DOT golden file lays out with `dot` without a warning."""
    files = golden_files("dot")
    assert len(files) == 4
    for path in files:
        done = subprocess.run([graphviz_dot, "-Tsvg", str(path)], capture_output=True, text=True, check=False)
        assert (done.returncode, done.stderr) == (0, ""), path


def mermaid_diagrams() -> dict[str, str]:
    """Every distinct Mermaid diagram the goldens and the committed docs hold, by where it first appears."""
    found = {str(p.relative_to(REPO)): p.read_text(encoding="utf-8") for p in golden_files("mmd")}
    pages = [*GOLDEN.rglob("*.md"), *(REPO / "docs" / "runbooks").glob("*.md")]
    for page in sorted(pages):
        blocks = re.findall(r"```mermaid\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.DOTALL)
        found |= {f"{page.relative_to(REPO)}#{i}": block for i, block in enumerate(blocks)}
    unique: dict[str, str] = {}
    for where, diagram in found.items():  # the same page is in docs/ and in several golden sets
        if diagram not in unique.values():
            unique[where] = diagram
    return unique


NODE = re.compile(r'^  (svc_[a-z0-9_]+)\["([^"#<>]|#(35|quot|lt|gt);|<br>)*"\]$')
EDGE = re.compile(r'^  (svc_[a-z0-9_]+) (-->|-\.->)(\|"any of"\|)? (svc_[a-z0-9_]+)$')
STYLE = re.compile(
    r"^  (classDef (tier[1-4]|focus) [-a-z]+:[^ ]+|class (svc_[a-z0-9_]+,)*svc_[a-z0-9_]+ (tier[1-4]|focus))$"
)


def test_mermaid_structure() -> None:
    """Without a Mermaid parser: a left-to-right flowchart of declared, quoted nodes with safe ids."""
    diagrams = mermaid_diagrams()
    assert len(diagrams) > 30
    for where, diagram in diagrams.items():
        lines = diagram.splitlines()
        assert lines[0] == "flowchart LR", where
        declared = {m[1] for line in lines if (m := NODE.match(line))}
        for line in lines[1:]:
            assert NODE.match(line) or EDGE.match(line) or STYLE.match(line), f"{where}: {line!r}"
            if edge := EDGE.match(line):
                assert {edge[1], edge[4]} <= declared, f"{where}: {line!r}"


def test_mermaid_parses(chromium: DumpDom, mermaid_js: Path, tmp_path: Path) -> None:
    """Mermaid itself (the npm package, in headless Chromium) parses every diagram."""
    diagrams = mermaid_diagrams()
    page = tmp_path / "mermaid.html"
    page.write_text(
        f"""<!DOCTYPE html><html><body><pre id="result">pending</pre>
<script src="{mermaid_js.as_uri()}"></script>
<script>
const diagrams = {json.dumps(diagrams)};
(async () => {{
  mermaid.initialize({{startOnLoad: false, securityLevel: "strict"}});
  const failures = {{}};
  for (const [where, text] of Object.entries(diagrams)) {{
    try {{ await mermaid.parse(text); }} catch (error) {{ failures[where] = String(error.message || error); }}
  }}
  document.getElementById("result").textContent = JSON.stringify({{parsed: Object.keys(diagrams).length, failures}});
}})();
</script></body></html>""",
        encoding="utf-8",
    )
    dom = chromium(page, wait_ms=20000)
    match = re.search(r'<pre id="result">(.*?)</pre>', dom, flags=re.DOTALL)
    assert match is not None, dom[:500]
    result = json.loads(match[1].replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    assert result == {"parsed": len(diagrams), "failures": {}}
