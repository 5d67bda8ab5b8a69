"""Ember's benchmark harness: each workload in Ember, PyTorch and hand-written NumPy.

Run ``python -m benchmarks`` (or ``python benchmarks/run.py``); see ``run.py`` for options
and docs/performance.md for the latest table.
"""
