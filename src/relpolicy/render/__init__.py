"""Documents generated from the policy: runbooks, SLA tables, the dependency graph, blast radius.

Renderers take a :class:`~relpolicy.policy.PolicySet` (and its
:class:`~relpolicy.graph.ServiceGraph`) and return text: ``{file name: text}`` for runbooks, one
string for the others. They read no clock and no environment; time-dependent parts appear only
when a date is passed in. The command line writes the text, or compares it with what is on disk
(``--check``).
"""
