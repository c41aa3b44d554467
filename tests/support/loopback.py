"""Serve a small aiohttp app on 127.0.0.1 for the length of a test (`engine.loopback`)."""

from __future__ import annotations

from engine.loopback import loopback

__all__ = ["loopback"]
