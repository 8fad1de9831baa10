"""Benchmark harness: synthetic claims, a baseline echo bot, and ``run.py``."""
