"""A small organisation's policies, and a series of commits that each change one promise."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Final

FILES: Final = {
    "policies/calendar.yaml": """\
apiVersion: relpolicy.dev/v1
kind: Calendar
metadata: {name: business}
spec:
  description: London office hours.
  timezone: Europe/London
  hours:
    mon: [09:00-17:00]
    tue: [09:00-17:00]
    wed: [09:00-17:00]
    thu: [09:00-17:00]
    fri: [09:00-17:00]
""",
    "policies/teams.yaml": """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: web}
spec:
  members: [{name: Ana Lima, email: ana@example.com}, {name: Bo Chen, email: bo@example.com}]
  coverage: always
  escalationPolicy: major
---
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: data}
spec:
  members: [{name: Cy Diaz, email: cy@example.com}, {name: Di Eze, email: di@example.com}]
  coverage: business
  escalationPolicy: major
---
apiVersion: relpolicy.dev/v1
kind: EscalationPolicy
metadata: {name: major}
spec:
  steps:
    - {after: 0m, notify: [{team: web}]}
    - {after: 10m, notify: [{person: ana@example.com}]}
    - {after: 30m, notify: [{person: bo@example.com}]}
  repeat: 2
""",
    "policies/priorities.yaml": """\
apiVersion: relpolicy.dev/v1
kind: PriorityPolicy
metadata: {name: default}
spec:
  levels:
    - {name: P1, description: critical, response: 15m, restore: 4h, clock: always}
    - {name: P2, description: major, response: 1h, restore: 8h, clock: always}
    - {name: P3, description: minor, response: 4h, restore: 2d, clock: business}
  rules:
    - when: {tier: [1], impact: [outage]}
      level: P1
    - when: {tier: [1, 2], impact: [outage, degraded]}
      level: P2
  default: P3
""",
    "policies/services/checkout.yaml": """\
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: checkout}
spec:
  description: Takes orders.
  tier: 1
  owner: web
  priorityPolicy: default
  dependsOn:
    - {service: payments-api, type: hard}
    - {service: orders-db, type: hard}
  recovery: {rto: 1h, rpo: 15m}
---
apiVersion: relpolicy.dev/v1
kind: SLO
metadata: {name: checkout-availability}
spec:
  service: checkout
  indicator: {type: availability}
  objective: 99.8
  timeWindow: 30d
""",
    "policies/services/payments-api.yaml": """\
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: payments-api}
spec:
  description: Card payments.
  tier: 1
  owner: web
  priorityPolicy: default
  recovery: {rto: 30m, rpo: 5m}
---
apiVersion: relpolicy.dev/v1
kind: SLO
metadata: {name: payments-api-availability}
spec:
  service: payments-api
  indicator: {type: availability}
  objective: 99.95
  timeWindow: 30d
""",
    "policies/services/orders-db.yaml": """\
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: orders-db}
spec:
  description: Orders database.
  tier: 1
  owner: web
  priorityPolicy: default
  recovery:
    rto: 30m
    rpo: 5m
    backups: {copies: 3, every: 1h, offsite: true}
---
apiVersion: relpolicy.dev/v1
kind: SLO
metadata: {name: orders-db-availability}
spec:
  service: orders-db
  indicator: {type: availability}
  objective: 99.95
  timeWindow: month
""",
    "policies/services/recommendations.yaml": """\
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: recommendations}
spec:
  description: Suggests products.
  tier: 3
  owner: data
  priorityPolicy: default
  recovery: {rto: 1d}
""",
    "policies/maintenance.yaml": """\
apiVersion: relpolicy.dev/v1
kind: MaintenanceWindow
metadata: {name: orders-db-upgrade}
spec:
  services: [orders-db]
  at: "2026-11-08T02:00:00Z"
  duration: 1h
---
apiVersion: relpolicy.dev/v1
kind: ChangeFreeze
metadata: {name: holiday}
spec:
  reason: Peak trading.
  start: "2026-11-20T00:00:00Z"
  end: "2027-01-04T00:00:00Z"
  services: [checkout, orders-db]
""",
}

STEPS: Final = (
    ("objective-lowered", "policies/services/payments-api.yaml", "objective: 99.95", "objective: 99.9"),
    (
        "hard-dependency-under-tier-1",
        "policies/services/checkout.yaml",
        "    - {service: orders-db, type: hard}\n",
        "    - {service: orders-db, type: hard}\n    - {service: recommendations, type: hard}\n",
    ),
    ("priority-target", "policies/priorities.yaml", "response: 1h, restore: 8h", "response: 1h, restore: 1d"),
    ("window-into-freeze", "policies/maintenance.yaml", '"2026-11-08T02:00:00Z"', '"2026-12-06T02:00:00Z"'),
    ("rto-raised", "policies/services/orders-db.yaml", "rto: 30m", "rto: 2h"),
    ("owner-changed", "policies/services/recommendations.yaml", "owner: data", "owner: web"),
    (
        "escalation-step-removed",
        "policies/teams.yaml",
        "    - {after: 30m, notify: [{person: bo@example.com}]}\n",
        "",
    ),
)
"""Each step: its name (and the tag of its commit), the file it edits, and the text it replaces."""

AS_OF: Final = "2026-11-01"


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with a fixed identity and dates (commits are reproducible)."""
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_AUTHOR_DATE": "2026-11-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2026-11-01T00:00:00Z",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(repo),
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def build_repo(repo: Path) -> None:
    """A git repository: the base commit (tag ``base``), then one commit per step (tagged by name)."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    for name, text in FILES.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "tag", "base")
    for name, file, old, new in STEPS:
        path = repo / file
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        git(repo, "commit", "-q", "-am", name)
        git(repo, "tag", name)
