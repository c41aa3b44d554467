"""The `ai-admin` command line. Bad flags and bad configuration: one line, exit status 2."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from engine.settings import Settings, load_settings
from states.errors import AiAdminError, ConfigError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One clear line instead of argparse's usage block (interface contract).
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ai-admin", description="WhatsApp AI administrator for YClients salons")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("serve", help="webhook service and batch worker in one process")
    commands.add_parser("webhook", help="only the HTTP side")
    commands.add_parser("worker", help="only the batch processor")
    return parser


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"ai-admin: configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings)
    from engine.app import serve  # late: `--help` and config errors stay fast

    try:
        asyncio.run(serve(settings, args.command))
    except AiAdminError as exc:
        print(f"ai-admin: {exc}", file=sys.stderr)
        return 1
    return 0
