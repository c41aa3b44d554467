"""What stands before the LLM filler: plain answers first, and one call per batch, always.

`LlmGate` is the `SlotFiller` the engine uses when an LLM is configured (issue 15):

- a plain answer to the bot's own question ("да", "2", "18:00" while times are offered,
  "завтра" to "на какой день?") is read by `plain_answers` without a call;
- everything else is one call to the LLM filler — and a batch never makes a second one:
  the batches already sent are remembered (the latest `REMEMBERED`), and a batch read
  again is answered from memory when it is the same request (a retried turn) or by the
  offline rules otherwise, never by another call. (The LLM filler itself sends each call
  once: its client does not retry, see `OpenAIFiller`.) The memory is per process: a
  batch retried by another worker after a crash is one more call there.

Every fill is counted by its reason (`on_reason`, the engine's
`ai_admin_llm_requests_total{reason}`); only `full_fill` sent a request.
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Callable

from adapters.fillers.offline import OfflineFiller
from adapters.fillers.plain_answers import read_plain_answer
from states.slot_fill import FillRequest, FillSource, LlmReason, SlotFill, SlotFiller

log = logging.getLogger(__name__)
REMEMBERED = 1024  # batches; a retry comes within minutes, thousands of turns apart at most


_Sent = tuple[tuple[object, ...], SlotFill | None]


def _request_key(request: FillRequest) -> tuple[object, ...]:
    return (request.text, request.state, request.expecting, request.options)


class LlmGate:
    """`SlotFiller`: plain answers without the LLM, at most one LLM call per batch."""

    def __init__(
        self,
        llm: SlotFiller,
        offline: OfflineFiller | None = None,
        on_reason: Callable[[LlmReason], None] | None = None,
    ) -> None:
        self.llm = llm
        self._offline = offline or OfflineFiller()
        self._on_reason = on_reason
        # batch id → (what was asked, the fill; None while the call is under way)
        self._sent: collections.OrderedDict[str, _Sent] = collections.OrderedDict()
        self.reasons: collections.Counter[LlmReason] = collections.Counter()

    async def fill(self, request: FillRequest) -> SlotFill:
        plain = read_plain_answer(request)
        if plain is not None:
            self._count(LlmReason(f"plain_{plain.kind.value}"))
            return plain.fill
        batch = request.batch_id
        if batch is not None and batch in self._sent:
            key, earlier = self._sent[batch]
            if earlier is not None and key == _request_key(request):
                self._count(LlmReason.REPEAT)
                return earlier
            self._count(LlmReason.OVER_BUDGET)
            log.warning("a second LLM fill for one batch refused; offline rules read it")
            offline = await self._offline.fill(request)
            note = "llm: one call per batch, already made"
            return offline.model_copy(
                update={"source": FillSource.OFFLINE_FALLBACK, "notes": [note]}
            )
        if batch is not None:
            # Taken before the call, so a fill of the same batch meanwhile cannot call too.
            self._sent[batch] = (_request_key(request), None)
            while len(self._sent) > REMEMBERED:
                self._sent.popitem(last=False)
        self._count(LlmReason.FULL_FILL)
        fill = await self.llm.fill(request)
        if batch is not None and batch in self._sent:
            self._sent[batch] = (_request_key(request), fill)
        return fill

    def _count(self, reason: LlmReason) -> None:
        self.reasons[reason] += 1
        if self._on_reason is not None:
            self._on_reason(reason)
