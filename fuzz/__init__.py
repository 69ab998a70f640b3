"""The fuzzing campaign of issue 13: hostile policy trees, mutated from the example organisation.

``python -m fuzz.campaign`` (or ``nox -s fuzz``) runs it; ``tests/hostile/test_fuzz_corpus.py``
replays the saved corpus in CI. See docs/security.md.
"""
