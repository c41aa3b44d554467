"""Transcript-driven regression suite: YAML conversations replayed against the whole engine.

The format is documented in docs/transcripts.md; `ai-admin replay PATH...` and
tests/test_transcripts.py both run files through `run_transcript`.
"""
