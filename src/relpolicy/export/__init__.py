"""Exports of the policies to other tools' formats: Prometheus rules, Alertmanager configuration.

Each exporter takes a :class:`~relpolicy.policy.PolicySet` and returns text (or named texts);
the command line writes them. Nothing here reads files, the clock or the environment.
"""
