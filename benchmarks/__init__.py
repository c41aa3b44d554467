"""Benchmarks against the physical floor: one command each, JSON on stdout (BENCHMARKS.md)."""
