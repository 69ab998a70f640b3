"""Reporters: pure functions from a :class:`~relpolicy.engine.Report` to text."""
