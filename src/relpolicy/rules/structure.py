"""RP1xx: problems found while reading files, before any policy meaning is checked.

The loader, the YAML parser and model building report these; this module holds their metadata
and documentation.
"""

from __future__ import annotations

from typing import Final

from relpolicy.findings import Severity
from relpolicy.rules._framework import declare

UNREADABLE_FILE = declare(
    id="RP100",
    name="unreadable-file",
    severity=Severity.ERROR,
    summary=(
        "A policy file cannot be read: not UTF-8, too large, not a regular file, a link out of the policy tree, "
        "or an I/O error."
    ),
    doc="""
    relpolicy reads policy files as UTF-8 text up to 8 MiB. A file it cannot read is reported
    where the problem is (the first byte that is not UTF-8, for instance) and skipped; every
    other file is still checked. Only regular files inside the policy tree are read: a symbolic
    link that resolves outside the folder being checked is reported at the link and its target
    is never read (so a link to `/proc/self/environ` cannot put secrets into a report); a FIFO,
    socket or device is reported without being opened, and so is a folder that cannot be listed.

    Failing example:

        # saved as Latin-1: the byte 0xe9 of "café" is not UTF-8
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: caf\xe9}

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: cafe}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
    """,
)

YAML_SYNTAX = declare(
    id="RP101",
    name="yaml-syntax",
    severity=Severity.ERROR,
    summary="A file is not valid YAML, or uses YAML features that policies refuse (tags, alias bombs).",
    doc="""
    The parser stops at a syntax error and reports the line and column where it noticed it;
    documents before the error are still checked. Policies are plain data: tags such as
    `!!python/object` are refused rather than constructed, aliases may not expand a document
    beyond 10,000 nodes, nesting is capped at 64 levels, and a file may hold at most 200,000
    nodes (a file with more is reported at the first node past the limit, and not read).

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments
        spec: {}

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
    """,
)

DUPLICATE_KEY = declare(
    id="RP102",
    name="duplicate-key",
    severity=Severity.ERROR,
    summary="A mapping has the same key twice.",
    fix="removes the second key when its value equals the first and it has its own lines",
    doc="""
    YAML forbids duplicate keys, yet most loaders silently keep one of the values, so the
    policy that runs is not the one a reviewer reads. relpolicy keeps the first value and points
    at both keys.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          coverage: uk-business
          members: [{name: Ana Lima, email: ana@example.com}]

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
    """,
)

SCHEMA_VIOLATION = declare(
    id="RP103",
    name="schema-violation",
    severity=Severity.ERROR,
    summary="A document does not match its kind's schema: unknown or missing field, wrong type or value.",
    fix="renames an unknown field that is clearly a typo of one allowed there (`ownr:` -> `owner:`)",
    doc="""
    Every kind has a JSON Schema (in `schemas/`, generated from the models). A document that
    does not match is reported at the offending key or value, with a suggestion for misspelt
    field names, and is left out of the policy checks.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          membrs: [{name: Ana Lima, email: ana@example.com}]

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
    """,
)

UNKNOWN_API_VERSION_OR_KIND = declare(
    id="RP104",
    name="unknown-api-version-or-kind",
    severity=Severity.ERROR,
    summary="A document's apiVersion or kind is missing or unknown.",
    doc="""
    `apiVersion` selects the schema and `kind` the model. An unknown value is reported with the
    supported ones, and a suggestion when it looks like a typo.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Teams
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
    """,
)

DUPLICATE_NAME = declare(
    id="RP105",
    name="duplicate-name",
    severity=Severity.ERROR,
    summary="Two resources of the same kind have the same name.",
    doc="""
    Names are unique per kind: references would be ambiguous otherwise. The second definition
    is reported, pointing back at the first, and ignored.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Bo Chen, email: bo@example.com}]

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members:
            - {name: Ana Lima, email: ana@example.com}
            - {name: Bo Chen, email: bo@example.com}
    """,
)

DEPRECATED_API_VERSION = declare(
    id="RP106",
    name="deprecated-api-version",
    severity=Severity.WARNING,
    summary="A document uses an apiVersion that still loads but is deprecated.",
    fix="writes the successor apiVersion and renames the fields that moved, where the deprecation says how",
    doc="""
    When a new apiVersion arrives the old one keeps loading, with this finding on every
    document that uses it, until `relpolicy migrate` has rewritten the files. relpolicy.dev/v1
    is the current version, so today this fires only for versions a future release deprecates
    (the example assumes a deprecated `relpolicy.dev/v1beta1`).

    Failing example:

        apiVersion: relpolicy.dev/v1beta1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
    """,
)

FOREIGN_DOCUMENT = declare(
    id="RP107",
    name="foreign-document",
    severity=Severity.INFO,
    summary="A document of another tool (OpenSLO, Sloth, Backstage, Kubernetes) sits in the policy tree.",
    doc="""
    Policy repositories often keep other tools' documents beside the policies. A document whose
    `apiVersion` is a well-known foreign one (`openslo/v1`, `sloth.slok.dev/v1`, a Sloth spec's
    `version: prometheus/v1`, `backstage.io/...`, Kubernetes' `v1`, `apps/v1`, `*.k8s.io/...`,
    `monitoring.coreos.com/...`) is reported once, at that key, saying which command reads it
    (`relpolicy import openslo`, `relpolicy import sloth`), and is otherwise left alone: its
    names are not policy names. Any other unknown `apiVersion` stays an RP104 error, so a typo of
    `relpolicy.dev/v1` is never taken for a foreign document. To keep such files out of the
    check entirely, list them under `exclude` in the settings (globs, as in `perPathIgnores`).

    Failing example:

        apiVersion: openslo/v1
        kind: Service
        metadata: {name: payments}
        spec:
          description: Takes card payments.

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
    """,
)

RULES: Final = (
    UNREADABLE_FILE,
    YAML_SYNTAX,
    DUPLICATE_KEY,
    SCHEMA_VIOLATION,
    UNKNOWN_API_VERSION_OR_KIND,
    DUPLICATE_NAME,
    DEPRECATED_API_VERSION,
    FOREIGN_DOCUMENT,
)
