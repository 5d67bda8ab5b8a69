"""Reliability tests: threads, leaks, deep graphs, bad input and atomicity."""
