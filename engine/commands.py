"""Small commands on the runtime: `ai-admin inspect`, `ai-admin dead-letters`."""

from __future__ import annotations

import json
import sys
from typing import TextIO

from engine.runtime import open_runtime
from engine.settings import Settings
from states.console import DeadLetter
from states.masking import mask_phone, mask_phones_in_text

LISTED = 100  # the newest letters listed; the count of the rest is said on stderr
SHOWN_CHARS = 60  # of each message


async def inspect_phone(settings: Settings, phone: str) -> int:
    async with open_runtime(settings, worker=False) as runtime:
        view = await runtime.inspector.view(phone)
    if view is None:
        print(f"ai-admin: no conversation with {phone}", file=sys.stderr)
        return 1
    print(json.dumps(view, ensure_ascii=False, indent=2))
    return 0


async def dead_letters(
    settings: Settings, requeue: str | None, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """List the failed batches (one line each), or requeue one (exit 1 if it is gone)."""
    async with open_runtime(settings, worker=False) as runtime:
        console = runtime.console
        if requeue is not None:
            if not await console.requeue(requeue):
                print(f"ai-admin: no dead letter {requeue} (requeued already?)", file=err)
                return 1
            print(f"requeued {requeue}", file=out)
            return 0
        letters = await console.dead_letters(LISTED)
        total = await runtime.dead_letters.count()
    for letter in letters:
        print(letter_line(letter), file=out)
    if total > len(letters):
        print(f"ai-admin: {total - len(letters)} older letters not listed", file=err)
    elif not letters:
        print("ai-admin: no failed batches", file=err)
    return 0


def letter_line(letter: DeadLetter) -> str:
    """`ID  when  phone  N message(s): "first", "second"` with phones masked."""
    texts = ", ".join(
        repr(mask_phones_in_text(m[:SHOWN_CHARS]) + ("…" if len(m) > SHOWN_CHARS else ""))
        for m in letter.messages
    )
    count = f"{len(letter.messages)} message{'s' if len(letter.messages) != 1 else ''}"
    when = letter.failed_at.isoformat(timespec="seconds")
    return f"{letter.id}  {when}  {mask_phone(letter.phone)}  {count}: {texts}"
