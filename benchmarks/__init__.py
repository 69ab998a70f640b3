"""Benchmarks: a synthetic policy-repo generator and a runner that times `relpolicy check` per phase."""
