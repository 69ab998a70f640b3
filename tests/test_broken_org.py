"""A deliberately broken organisation: its complete findings list is a golden file.

Regenerate after an intended change with ``RELPOLICY_UPDATE_GOLDEN=1 pytest tests/test_broken_org.py``
and review the diff: every line is a promise about what relpolicy reports.
"""

from __future__ import annotations

from tests._golden import assert_golden
from tests.conftest import AS_OF, REPO

from relpolicy.engine import check
from relpolicy.report import text

FIXTURE = REPO / "tests" / "fixtures" / "broken-org"
GOLDEN = REPO / "tests" / "golden" / "broken-org.txt"


def test_broken_org_findings_match_the_golden_file() -> None:
    report = check([FIXTURE], as_of=AS_OF, base=REPO)
    rendered = text.render(report, color=False)
    assert_golden(GOLDEN, rendered)


def test_broken_org_covers_every_rule_family() -> None:
    report = check([FIXTURE], as_of=AS_OF, base=REPO)
    assert {f.rule_id[:3] for f in report.findings} == {"RP1", "RP2", "RP3", "RP4", "RP5", "RP6", "RP7", "RP8", "RP9"}
