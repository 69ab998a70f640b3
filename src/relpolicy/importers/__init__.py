"""Imports of other tools' SLO documents into relpolicy files: OpenSLO v1 and Sloth specs.

Each importer reads parsed documents (with their positions) and returns an
:class:`~relpolicy.importers._shared.Imported`: relpolicy documents grouped by the file they go in,
and a :class:`~relpolicy.findings.Note` with a ``file:line:col`` for every field that did
not map, and why. :func:`~relpolicy.importers._shared.policy_text` lays the documents out as
``relpolicy fmt`` does and checks them with relpolicy's own models; the command line writes them.
Nothing here touches files, the clock or the environment, and nothing is imported by ``check``.
"""
