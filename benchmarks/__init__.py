"""Benchmarks, run by ``make bench`` (``python -m benchmarks``); each prints a table row."""
