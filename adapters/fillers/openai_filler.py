"""The LLM slot filler: one structured-output call per batch, checked by code.

Any OpenAI-compatible server works (`base_url`). The call asks for a strict JSON schema
built from `LlmProposal` at temperature 0 with a timeout; whatever comes back is checked
by `proposal.to_slot_fill`. On an API error, a timeout, or output that does not validate,
the offline filler answers instead and the fallback is counted (`fallbacks`,
`fallback_reasons`, and the `on_fallback` callback the engine turns into a metric).
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
from collections.abc import Callable

import openai
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema
from pydantic import ValidationError

from adapters.fillers.offline import OfflineFiller
from adapters.fillers.proposal import LlmProposal, strict_json_schema, to_slot_fill
from states.slot_fill import FillRequest, FillSource, SlotFill

log = logging.getLogger(__name__)

_SYSTEM = """You read WhatsApp messages a client sends to a barbershop and extract what
they ask for. You never decide anything and never invent values.
Rules:
- intent: book (wants an appointment or gives booking details), confirm (yes to the bot's
  question: "да", "+", "👍", "ок", "давайте"), deny (no), abort (drops the visit being
  arranged: "передумал", "не надо", "отмена"), choose_option (picks one of the numbered
  options), change (changes a detail of a booking being confirmed), earlier / later (wants
  an earlier / later time than offered), other_master (another master), same_time (the
  same time as the booked visit, when moving it), cancel (a booked visit), reschedule,
  ask_price, ask_address, ask_hours (the salon's or a master's), ask_who_works (which
  masters work on a day), ask_free_slots (free times on a day, for a master, this week),
  ask_faq (payment, parking and similar salon facts), late_notice ("опаздываю"),
  complaint, ask_human (wants a person), greeting, small_talk (thanks, emoji, "как дела"),
  unknown.
- questions: every question the message asks, from ask_price, ask_address, ask_hours,
  ask_who_works, ask_free_slots, ask_faq ("сколько стоит и где вы?" → both); faq_topics:
  the salon facts asked about (payment, parking, certificates, discounts, children, pets,
  wifi, drinks).
- service_phrases: the client's own words for each service they ask for, as written
  ("на мужскую стрижку", "бороду"), or the catalogue name; not words from small talk
  ("у меня двое детей" asks for nothing). Never ids or numbers.
- master: the client's own word for a master as written ("к Тёме", "Саше", "Artyom") or
  the catalogue name, only if the client named a master, else null; the client's own name
  ("меня зовут Егор") is never a master. master_choice: "named" with a name,
  "same_as_last" for "тот же мастер" / "как в прошлый раз", "any" for "любой",
  "мастер не важен", "без разницы", "кто свободен", else null. Never ids, never "last".
- date_phrase / time_phrase: copy the client's words ("завтра", "в субботу", "24.07",
  "к 7", "вечером", "когда удобно", "18:00"), even a date or time that does not exist ("25:00",
  "31 февраля"); do not compute dates.
- option: the 1-based number of the offered option the client picked, else null.
- client_name / phone: only if the client wrote their own name / phone number.
- language: "ru" or "en", the language the client writes in.
Unknown values are null (or an empty list)."""


def _context(request: FillRequest) -> str:
    now = request.local_now
    options = "\n".join(
        f"{i}. {o.date} {o.time}" + (f" {o.master}" if o.master else "")
        for i, o in enumerate(request.options, start=1)
    )
    return "\n".join([
        f"Now: {now:%Y-%m-%d %H:%M} ({now:%A}), timezone {request.timezone}",
        f"Dialogue state: {request.state}",
        f"Known slots: {json.dumps(dict(request.slots), ensure_ascii=False, default=str)}",
        "Services: " + "; ".join(request.catalogue.service_names),
        "Masters: " + "; ".join(request.catalogue.masters),
        "Offered options:\n" + (options or "(none)"),
        f"The bot asked for: {request.expecting or '(nothing in particular)'}",
    ])  # fmt: skip


def make_openai_client(
    api_key: str, base_url: str | None = None, *, timeout_s: float = 10.0, max_retries: int = 1
) -> AsyncOpenAI:
    """The client for the composition root; retries stay low so a turn is not held up."""
    return AsyncOpenAI(
        api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=max_retries
    )


class OpenAIFiller:
    """`SlotFiller` backed by an LLM, with the offline filler as its safety net."""

    def __init__(
        self,
        client: AsyncOpenAI,
        model: str = "gpt-4o-mini",
        *,
        fallback: OfflineFiller | None = None,
        timeout_s: float = 10.0,
        on_fallback: Callable[[str], None] | None = None,
        on_repair: Callable[[list[str]], None] | None = None,
    ) -> None:
        # One request per call, never a retry: a batch costs one LLM request (issue 15).
        self._client = client.with_options(max_retries=0)
        self._model = model
        self._offline = fallback or OfflineFiller()
        self._timeout_s = timeout_s
        self._on_fallback = on_fallback
        self._on_repair = on_repair
        self.calls = 0
        self.fallbacks = 0
        self.repairs = 0
        self.fallback_reasons: collections.Counter[str] = collections.Counter()
        self._response_format: ResponseFormatJSONSchema = {
            "type": "json_schema",
            "json_schema": {
                "name": "slot_proposal",
                "strict": True,
                "schema": strict_json_schema(LlmProposal),
            },
        }

    async def fill(self, request: FillRequest) -> SlotFill:
        self.calls += 1
        # The offline reading (the fallback and the repairs' source) and the checks of the
        # model's words are CPU work: a worker thread, so the event loop is never held.
        offline = await asyncio.to_thread(self._offline.fill_now, request)
        try:
            content = await self._ask(request)
            proposal = LlmProposal.model_validate_json(content)
        except (openai.APITimeoutError, TimeoutError):
            return self._fall_back("timeout", offline)
        except openai.APIStatusError as exc:
            return self._fall_back(f"status_{exc.status_code}", offline)
        except openai.APIError as exc:
            return self._fall_back(type(exc).__name__, offline)
        except (ValidationError, ValueError):
            return self._fall_back("invalid_output", offline)
        fill = await asyncio.to_thread(to_slot_fill, proposal, request, offline)
        if fill.source is FillSource.LLM_REPAIRED:
            self.repairs += 1
            log.info("llm fill repaired: %s", "; ".join(fill.notes))
            if self._on_repair is not None:
                self._on_repair(list(fill.notes))
        return fill

    async def _ask(self, request: FillRequest) -> str:
        # The outer bound also covers a server that trickles bytes past the client timeout.
        async with asyncio.timeout(self._timeout_s * 2 + 1):
            messages: list[ChatCompletionMessageParam] = [
                {"role": "system", "content": _SYSTEM + "\n\n" + _context(request)},
                {"role": "user", "content": request.text},
            ]
            completion = await self._client.chat.completions.create(
                model=self._model,
                messages=messages,
                temperature=0,
                response_format=self._response_format,
                timeout=self._timeout_s,
            )
        content = completion.choices[0].message.content if completion.choices else None
        if not content:
            raise ValueError("empty completion")
        return str(content)

    def _fall_back(self, reason: str, offline: SlotFill) -> SlotFill:
        self.fallbacks += 1
        self.fallback_reasons[reason] += 1
        log.warning("llm slot filler failed (%s); offline filler answers", reason)
        if self._on_fallback is not None:
            self._on_fallback(reason)
        return offline.model_copy(
            update={"source": FillSource.OFFLINE_FALLBACK, "notes": [f"llm failed: {reason}"]}
        )
