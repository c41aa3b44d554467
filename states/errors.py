"""The one error root of ai-admin; narrow subclasses carry the ids they are about."""

from __future__ import annotations


class AiAdminError(Exception):
    """Root of every error ai-admin raises on purpose."""


class ConfigError(AiAdminError):
    """A configuration value is missing or malformed; the message names the variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


class PayloadError(AiAdminError):
    """An inbound payload is not what the contract promises; the message says what is wrong."""
