"""Policy documents shared by the rule tests: a 24x7 team, and the reference P1-P4 priority policy."""

from __future__ import annotations

TEAM = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: payments}
spec:
  coverage: always
  members: [{name: Ana Lima, email: ana@example.com}]
"""

PRIORITIES = """\
apiVersion: relpolicy.dev/v1
kind: PriorityPolicy
metadata: {name: default}
spec:
  levels:
    - {name: P1, description: revenue or safety critical, response: 15m, restore: 4h}
    - {name: P2, description: major team workflow down, response: 1h, restore: 8h, clock: office}
    - {name: P3, description: single user or device, response: 4h, restore: 2d, clock: office}
    - {name: P4, description: low urgency request, response: 1d, restore: scheduled, clock: office}
  rules:
    - when: {tier: [1], impact: [outage]}
      level: P1
    - when: {tier: [2], impact: [outage]}
      level: P2
    - when: {tier: [3], labels: {site: warehouse}}
      level: P4
  default: P3
---
apiVersion: relpolicy.dev/v1
kind: Calendar
metadata: {name: office}
spec:
  timezone: Europe/London
  hours: {mon: [09:00-17:00], tue: [09:00-17:00], wed: [09:00-17:00], thu: [09:00-17:00], fri: [09:00-17:00]}
"""
