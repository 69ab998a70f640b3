"""The document commands through their real entry point: output, --check, templates, and errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.render.conftest import AS_OF, FIXTURE, GOLDEN

from relpolicy.cli import main

FIXTURE_ARG = FIXTURE.as_posix()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def stale(command: str) -> str:
    """What --check says on stderr when one file is stale."""
    return f"relpolicy: 1 generated file(s) out of date; run `{command}`\n"


def runbooks_with_templates(templates: Path) -> list[str]:
    """Render the fixture's runbooks into ``templates/out`` with user templates from ``templates``."""
    return ["render", "runbooks", FIXTURE_ARG, "--out", str(templates / "out"), "--templates", str(templates)]


def test_render_runbooks_writes_the_golden_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The command writes what the renderer golden files hold, and says how many files it wrote."""
    out = tmp_path / "runbooks"
    assert run(capsys, "render", "runbooks", FIXTURE_ARG, "--out", str(out), "--as-of", str(AS_OF)) == (
        0, "", "relpolicy: wrote 7 of 7 file(s)\n",
    )  # fmt: skip
    golden = GOLDEN / "fixture" / f"runbooks-{AS_OF}"
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in golden.iterdir())
    for page in golden.iterdir():
        assert (out / page.name).read_bytes() == page.read_bytes(), page.name
    assert run(capsys, "render", "runbooks", FIXTURE_ARG, "--out", str(out), "--as-of", str(AS_OF))[2] == (
        "relpolicy: wrote 0 of 7 file(s)\n"
    )


def test_check_fails_on_a_hand_edited_page_and_passes_after_rendering(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--check prints a unified diff of the edited page and exits 1; after rendering again it exits 0."""
    out = tmp_path / "runbooks"
    render = ["render", "runbooks", FIXTURE_ARG, "--out", str(out)]
    run(capsys, *render)
    page = out / "db.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("The database.", "The database (edited)."), encoding="utf-8"
    )
    code, diff, err = run(capsys, *render, "--check")
    assert code == 1
    assert diff.startswith(f"--- {page.as_posix()}\n+++ {page.as_posix()}\n@@ ")
    assert "\n-The database (edited).\n+The database.\n" in diff
    assert err == stale(f"relpolicy render runbooks {FIXTURE_ARG} --out {out.as_posix()}")
    assert run(capsys, *render) == (0, "", "relpolicy: wrote 1 of 7 file(s)\n")
    assert run(capsys, *render, "--check") == (0, "", "")


def test_stale_pages_are_removed_and_other_files_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A page relpolicy generated for a service that is gone is stale; a hand-written file is not touched."""
    out = tmp_path / "runbooks"
    render = ["render", "runbooks", FIXTURE_ARG, "--out", str(out)]
    run(capsys, *render)
    gone = out / "old-service.md"
    gone.write_text((out / "db.md").read_text(encoding="utf-8"), encoding="utf-8")
    notes = out / "notes.md"
    notes.write_text("# Our notes\n", encoding="utf-8")
    code, diff, _ = run(capsys, *render, "--check")
    assert (code, diff.splitlines()[:2]) == (1, [f"--- {gone.as_posix()}", "+++ /dev/null"])
    assert run(capsys, *render)[2] == "relpolicy: wrote 0 of 7 file(s), removed 1 stale page(s)\n"
    assert (gone.exists(), notes.exists()) == (False, True)


def test_check_of_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file never rendered is stale too: the diff is from /dev/null."""
    out = tmp_path / "sla.md"
    code, diff, err = run(capsys, "render", "sla", FIXTURE_ARG, "--out", str(out), "--check")
    assert (code, diff.splitlines()[:2]) == (1, ["--- /dev/null", f"+++ {out.as_posix()}"])
    assert err == stale(f"relpolicy render sla {FIXTURE_ARG} --format md --out {out.as_posix()}")


@pytest.mark.parametrize(("fmt", "file", "extra"), [
    ("md", "sla.md", ["--runbooks-link", ""]),
    ("html", "sla.html", ["--runbooks-link", ""]),
    ("json", "sla.json", []),
    ("csv", "sla-services.csv", []),
    ("csv", "sla-priorities.csv", ["--table", "priorities"]),
])  # fmt: skip
def test_render_sla_to_stdout(
    fmt: str, file: str, extra: list[str], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """Each format on standard output, byte for byte the golden file (CSV keeps its CRLF line ends)."""
    assert main(["render", "sla", FIXTURE_ARG, "--format", fmt, *extra]) == 0
    assert capsysbinary.readouterr().out == (GOLDEN / "fixture" / file).read_bytes()


def test_sla_links_to_the_runbooks_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    """Markdown links each service to its page under runbooks/ (docs/sla.md beside docs/runbooks/)."""
    code, out, _ = run(capsys, "render", "sla", FIXTURE_ARG)
    assert code == 0
    assert "| [shop](runbooks/shop.md) | 1 | 99.9% | 30d | 43.2 min | 129.6 min (2h 9m 36s) |" in out


def test_graph_and_impact(capsys: pytest.CaptureFixture[str]) -> None:
    """graph and impact print what the golden files hold."""
    code, out, _ = run(capsys, "graph", FIXTURE_ARG, "--format", "dot", "--service", "shop", "--depth", "2")
    assert (code, out) == (0, (GOLDEN / "fixture" / "graph-shop-2.dot").read_text(encoding="utf-8"))
    code, out, _ = run(capsys, "impact", "db", FIXTURE_ARG)
    assert (code, out) == (0, (GOLDEN / "fixture" / "impact-db.txt").read_text(encoding="utf-8"))
    code, out, _ = run(capsys, "graph", FIXTURE_ARG, "--service", "end", "--depth", "0")
    assert (code, out.splitlines()[:2]) == (0, ["flowchart LR", '  svc_end["end<br>tier 4"]'])


@pytest.mark.parametrize(("args", "message"), [
    (["impact", "shopp", FIXTURE_ARG], "no service `shopp`, did you mean `shop`?"),
    (["graph", FIXTURE_ARG, "--depth", "2"], "--depth needs --service NAME"),
    (["render", "sla", FIXTURE_ARG, "--check"], "--check needs --out FILE to compare with"),
    (["render", "sla", FIXTURE_ARG, "--templates", "/nonexistent"], "/nonexistent: no such templates directory"),
])  # fmt: skip
def test_usage_errors_are_one_line(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Bad usage: exit 2 and one line on stderr."""
    assert run(capsys, *args) == (2, "", f"relpolicy: error: {message}\n")


def test_a_user_template_overrides_one_built_in(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--templates DIR: its templates win, the built-in ones fill in the rest."""
    (tmp_path / "sla.md.j2").write_text(
        "{% for row in table.services %}{{ row.name }} {{ row.objective_text }}\n{% endfor %}", encoding="utf-8"
    )
    code, out, _ = run(capsys, "render", "sla", FIXTURE_ARG, "--templates", str(tmp_path))
    assert (code, out) == (0, "db 99.95%\nshop 99.9%\npay-a 99.5%\npay-b —\nmail 99%\nend —\n")
    html = ["--format", "html", "--runbooks-link", ""]
    code, out, _ = run(capsys, "render", "sla", FIXTURE_ARG, "--templates", str(tmp_path), *html)
    assert (code, out) == (0, (GOLDEN / "fixture" / "sla.html").read_text(encoding="utf-8"))


def test_user_templates_are_sandboxed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A template reaching for Python internals stops with one line naming the template line, exit 2."""
    template = tmp_path / "sla.md.j2"
    template.write_text("{{ ''.__class__.__subclasses__() }}\n", encoding="utf-8")
    code, out, err = run(capsys, "render", "sla", FIXTURE_ARG, "--templates", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == (
        f"relpolicy: error: {template.as_posix()}:1:1: template `sla.md.j2` tried something the sandbox forbids: "
        "access to attribute '__class__' of 'str' object is unsafe.\n"
    )


def test_template_errors_are_located(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A syntax error and an undefined name in a user template: one line each, with the template line."""
    template = tmp_path / "runbook-index.md.j2"
    template.write_text("# Index\n{% for row in rows %}\n", encoding="utf-8")
    code, _, err = run(
        capsys, "render", "runbooks", FIXTURE_ARG, "--out", str(tmp_path / "out"), "--templates", str(tmp_path)
    )
    assert code == 2
    assert err.startswith(
        f"relpolicy: error: {template.as_posix()}:2:1: template syntax error: Unexpected end of template."
    )
    template.write_text("# Index\n\n{{ nothing_here }}\n", encoding="utf-8")
    code, _, err = run(
        capsys, "render", "runbooks", FIXTURE_ARG, "--out", str(tmp_path / "out"), "--templates", str(tmp_path)
    )
    assert (code, err) == (
        2,
        f"relpolicy: error: {template.as_posix()}:3:1: template `runbook-index.md.j2` failed: "
        "'nothing_here' is undefined\n",
    )


def test_unreadable_documents_are_left_out_with_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A broken file does not stop rendering; stderr says so and points at `relpolicy check`."""
    root = tmp_path / "policies"
    root.mkdir()
    (root / "ok.yaml").write_text((FIXTURE / "services.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (root / "broken.yaml").write_text("kind: [", encoding="utf-8")
    code, out, err = run(capsys, "impact", "db", str(root))
    assert code == 0
    assert out.startswith("If db (tier 1) goes down:\n")
    assert err == (
        "relpolicy: warning: 1 problem(s) reading the policy files; what they describe is left out "
        "(run `relpolicy check`)\n"
    )


def test_the_sandbox_is_immutable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A template cannot change the data it is given."""
    template = tmp_path / "runbook-index.md.j2"
    template.write_text("{{ rows.append(1) }}\n", encoding="utf-8")
    code, _, err = run(
        capsys, "render", "runbooks", FIXTURE_ARG, "--out", str(tmp_path / "out"), "--templates", str(tmp_path)
    )
    assert (code, err) == (
        2,
        f"relpolicy: error: {template.as_posix()}:1:1: template `runbook-index.md.j2` tried something the sandbox "
        "forbids: access to attribute 'append' of 'list' object is unsafe.\n",
    )


def test_html_is_autoescaped_and_markdown_text_is_escaped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Policy text with markup characters is shown, never interpreted: entities in HTML and in Markdown prose."""
    _, html, _ = run(capsys, "render", "sla", FIXTURE_ARG, "--format", "html")
    assert "<td>low urgency: &#34;nice to have&#34; &amp; &lt;requests&gt;</td>" in html
    assert "<requests>" not in html
    run(capsys, "render", "runbooks", FIXTURE_ARG, "--out", str(tmp_path))
    page = (tmp_path / "shop.md").read_text(encoding="utf-8")
    assert '# Shop "Main" &lt;EU&gt; (`shop`)\n' in page
    assert "| [mail](mail.md) | soft | 3 | ops | Receipts queue \\| retry later. |\n" in page
