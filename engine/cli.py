"""The `ai-admin` command line. Bad flags and bad configuration: one line, exit status 2."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from engine.dead_letters import LETTER_ID
from engine.logging_setup import configure_logging
from engine.settings import Settings, load_settings
from states.errors import AiAdminError, ConfigError
from states.messages import is_conversation_key


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
    sandbox = commands.add_parser("sandbox", help="serve the YClients sandbox (demo salon)")
    sandbox.add_argument("--port", type=_port, default=8900, help="TCP port (default 8900)")
    sandbox.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    inspect = commands.add_parser("inspect", help="print the persisted state of one phone")
    inspect.add_argument("phone", type=_phone, help="digits only, as in 79161234567")
    chat = commands.add_parser(
        "chat",
        help="talk to the bot in the terminal (same state)",
        description="Talk to the bot: each line is one message; /quit or Ctrl-D ends it. "
        "Same Redis, salon and dialogue as the service, so `ai-admin inspect` shows it.",
    )
    chat.add_argument(
        "--phone", type=_phone, default="79990000000", help="who you are (default 79990000000)"
    )
    replay = commands.add_parser(
        "replay",
        help="run transcript files/folders; exit 1 on a FAIL",
        description="Run transcripts (docs/transcripts.md): one PASS/FAIL line each on "
        "stdout, the diff of a failure on stderr; exit 1 if any failed.",
    )
    replay.add_argument("paths", nargs="+", metavar="PATH", help="transcript files or folders")
    _add_eval_filler(commands)
    letters = commands.add_parser(
        "dead-letters",
        help="list batches that failed 5 times; requeue one",
        description="List the batches given up after 5 failed attempts, newest first: id, "
        "when, the phone (masked), the messages. --requeue ID puts one back in its phone's "
        "queue, due at once.",
    )
    letters.add_argument(
        "--requeue", metavar="ID", type=_letter_id, help="the id of the letter to requeue"
    )
    return parser


def _add_eval_filler(commands: argparse._SubParsersAction[_Parser]) -> None:
    evals = commands.add_parser(
        "eval-filler",
        help="score a slot filler on the labelled utterances",
        description="Per-slot accuracy of the offline filler (or, with --openai, of any "
        "OpenAI-compatible endpoint: OPENAI_BASE_URL, OPENAI_MODEL, OPENAI_API_KEY) on the "
        "labelled sets, per catalogue and on the held-out part, then every misread utterance.",
    )
    evals.add_argument("--openai", action="store_true", help="score the LLM filler")
    evals.add_argument(
        "--catalogue", type=Path, metavar="PATH", help="only cases read against this salon file"
    )
    evals.add_argument(
        "--labelled",
        type=Path,
        metavar="PATH",
        help="labelled YAML file or folder (default: fixtures/nlu)",
    )
    evals.add_argument("--check", action="store_true", help="exit 1 on an unexpected miss")


def _port(raw: str) -> int:
    if not raw.isdigit() or not 0 <= int(raw) <= 65535:
        raise argparse.ArgumentTypeError(f"not a TCP port: {raw!r}")
    return int(raw)


def _letter_id(raw: str) -> str:
    if not LETTER_ID.fullmatch(raw):
        raise argparse.ArgumentTypeError(
            f"not a dead letter id (as in 03-1f2e3d4c5b6a7980): {raw!r}"
        )
    return raw


def _phone(raw: str) -> str:
    if not is_conversation_key(raw):
        raise argparse.ArgumentTypeError(f"phone must be digits, as in 79161234567: {raw!r}")
    return raw


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        if args.command in ("serve", "webhook") and (refusal := settings.exposure_error()):
            raise refusal
    except ConfigError as exc:
        print(f"ai-admin: configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings)
    try:
        return asyncio.run(run_command(settings, args))
    except AiAdminError as exc:
        print(f"ai-admin: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # e.g. the port is taken
        print(f"ai-admin: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


async def run_command(settings: Settings, args: argparse.Namespace) -> int:
    # Imported late: `--help` and configuration errors stay fast.
    if args.command == "sandbox":
        from adapters.yclients.sandbox.standalone import serve_until_stopped

        await serve_until_stopped(args.host, args.port)
        return 0
    if args.command == "inspect":
        from engine.commands import inspect_phone

        return await inspect_phone(settings, args.phone)
    if args.command == "dead-letters":
        from engine.commands import dead_letters

        return await dead_letters(settings, args.requeue)
    if args.command == "replay":
        from engine.transcripts.replay import replay

        return await replay(settings, args.paths)
    if args.command == "eval-filler":
        from adapters.fillers.accuracy import run_eval

        return await run_eval(
            args.openai,
            settings.openai_api_key,
            settings.openai_base_url,
            settings.openai_model,
            catalogue=args.catalogue,
            labelled=args.labelled,
            check=args.check,
        )
    if args.command == "chat":
        from engine.chat import chat

        return await chat(settings, args.phone)
    from engine.app import serve

    await serve(settings, args.command)
    return 0
