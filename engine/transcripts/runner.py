"""Play one transcript against the whole engine on a virtual clock.

Messages are appended through the real batcher at their offsets; between two messages
every batch that falls due is run first, so batching happens exactly as in production
(a message at +3 s and one at +7 s share a batch; 10 s of quiet flushes it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator
from datetime import timedelta

from adapters.fillers import OfflineFiller
from adapters.fillers.llm_gate import LlmGate
from adapters.fillers.openai_filler import OpenAIFiller, make_openai_client
from adapters.fillers.openai_stub import (
    OpenAIStub,
    StubDelay,
    StubError,
    StubReply,
    StubStep,
    proposal,
)
from adapters.yclients.sandbox import WebhookConfig
from adapters.yclients.sandbox.fixture import SalonFixture, load_fixture
from engine.harness import Harness, engine_harness
from engine.keys import Keys
from engine.redis_conn import AsyncRedis
from engine.runtime import YClientsLimits
from engine.settings import Settings, read_salon_faq
from engine.transcripts.checks import StepOutcome, check_step
from engine.transcripts.model import LlmAnswer, Message, Step, Transcript
from engine.transcripts.report import Mismatch
from engine.transcripts.salon_side import admin_act, local_moment, record_counters, reminders_of
from states.faq import SalonFaq
from states.slot_fill import SlotFiller


@dataclasses.dataclass(frozen=True)
class TranscriptResult:
    transcript: Transcript
    steps_run: int
    failed_step: int | None  # 1-based
    mismatches: tuple[Mismatch, ...]
    elapsed_ms: int
    replies: tuple[str, ...] = ()  # what the failed step answered, for the diff

    @property
    def passed(self) -> bool:
        return self.failed_step is None


def stub_step(answer: LlmAnswer) -> StubStep:
    then: StubReply | StubError
    if answer.error is not None:
        then = StubError(answer.error)
    elif answer.raw is not None:
        then = StubReply(answer.raw)
    else:
        then = StubReply(proposal(**(answer.proposal or {})))
    return StubDelay(answer.delay_s, then) if answer.delay_s else then


@contextlib.asynccontextmanager
async def _filler(t: Transcript) -> AsyncIterator[tuple[SlotFiller, OpenAIStub | None]]:
    if t.filler == "offline":
        yield OfflineFiller(), None
        return
    stub = OpenAIStub()
    async with stub as base_url:
        client = make_openai_client(
            "transcript-key", base_url, timeout_s=t.llm_timeout_s, max_retries=0
        )
        llm = OpenAIFiller(client, "stub-model", timeout_s=t.llm_timeout_s)
        yield LlmGate(llm), stub  # as the service runs it: plain answers skip the LLM


def _seed_salon(h: Harness, t: Transcript) -> None:
    salon = h.sandbox.salon
    for busy in t.salon.busy:
        start = salon.local(busy.date, busy.time)
        salon.busy.append((busy.staff_id, start, start + timedelta(minutes=busy.minutes)))
    for extra in t.salon.clients:
        client = salon.add_client(extra.name, extra.phone)
        for r in extra.records:
            salon.create_record(
                client_id=client.id,
                staff_id=r.staff_id,
                service_ids=r.services,
                start=salon.local(r.date, r.time),
                attendance=r.attendance,
                master_request=r.master_request,
            )
    for fault in t.salon.faults:
        h.sandbox.control.add_fault(fault.model_copy())  # the sandbox counts faults down


async def _play_step(h: Harness, t: Transcript, step: Step, number: int) -> StepOutcome:
    phone = step.phone or t.phone
    chat = step.chat or t.chat or f"{phone}@c.us"
    for fault in step.faults:
        h.sandbox.control.add_fault(fault.model_copy())
    replies_before = len(h.messenger.to(chat))
    admin_before = len(h.messenger.to(t.admin_chat)) if t.admin_chat else 0
    requests_before = len(h.sandbox.control.requests)
    received_before, effects_before = record_counters(h)
    turns = 0
    if step.until is not None:  # time passes: reminders and record events go on the way
        turns += await h.run_until(local_moment(h, step.until))
    elif step.wait:
        turns += await h.run_until(h.clock.now() + timedelta(seconds=step.wait))
    for action in step.admin:
        await admin_act(h, action, phone)
        turns += await h.run_due_now()
    if step.resume:
        await h.takeover.resume(phone)
    if step.pause is not None and step.pause is not False:
        await h.takeover.pause(phone, None if step.pause is True else int(step.pause))
    if step.salon is not None:
        await h.takeover.salon_wrote(phone, step.salon)
    began = h.clock.now()
    offset = 0.0
    for i, item in enumerate(step.send):
        message = Message(text=item) if isinstance(item, str) else item
        offset = message.at if message.at is not None else (offset + step.gap_s if i else 0.0)
        turns += await h.run_until(began + timedelta(seconds=offset))
        await h.send(
            phone,
            message.text,
            type_=message.type,
            pushname=message.pushname or step.pushname or t.pushname,
            msg_id=message.id,
            chat=chat,
        )
    turns += await h.settle()
    received, effects = record_counters(h)
    return StepOutcome(
        number=number,
        phone=phone,
        replies=h.messenger.to(chat)[replies_before:],
        turns=turns,
        conversation=(await h.conversation(phone)).to_dict(),
        requests=h.sandbox.control.requests[requests_before:],
        paused=await h.takeover.paused_until(phone) is not None,
        reminders=await reminders_of(h, phone),
        admin_chat=h.messenger.to(t.admin_chat)[admin_before:] if t.admin_chat else [],
        webhooks_received=received - received_before,
        record_effects={k: v - effects_before.get(k, 0) for k, v in effects.items()},
    )


def _settings(t: Transcript) -> Settings:
    """Demo mode with the transcript's reminder settings and ADMIN_CHAT."""
    env = {
        "REMINDER_OFFSETS": t.reminders.offsets,
        "REMINDER_QUIET": t.reminders.quiet,
        "REMINDER_ANSWER_WAIT": t.reminders.answer_wait,
    }
    if t.admin_chat:
        env["ADMIN_CHAT"] = t.admin_chat
    return Settings.from_mapping(env)


def _salon_files(t: Transcript) -> tuple[SalonFixture | None, SalonFaq | None]:
    """Another salon than the demo one, and its FAQ (none unless the transcript names one)."""
    fixture = load_fixture(t.salon.file) if t.salon.file else None
    if t.salon.faq is not None:
        return fixture, read_salon_faq(t.salon.faq, "salon.faq")
    return fixture, SalonFaq() if fixture is not None else None


async def run_transcript(t: Transcript, redis: AsyncRedis, keys: Keys) -> TranscriptResult:
    started = time.monotonic()
    steps_run = 0
    fixture, faq = _salon_files(t)
    async with (
        _filler(t) as (filler, stub),
        engine_harness(
            redis,
            keys,
            filler,
            t.start,
            salon=fixture,
            faq=faq,
            settings=_settings(t),
            yclients=YClientsLimits.lifted(t.yclients_timeout_s),
            webhooks=WebhookConfig(
                update_copies=t.webhooks.update_copies,
                max_delay_s=t.webhooks.max_delay_s,
                partial=t.webhooks.partial,
                seed=1,
            ),
        ) as h,
    ):
        _seed_salon(h, t)
        for number, step in enumerate(t.steps, start=1):
            llm_before = len(stub.requests) if stub is not None else 0
            if stub is not None:
                stub.script(stub_step(a) for a in step.llm)
            outcome = await _play_step(h, t, step, number)
            if stub is not None:
                outcome = dataclasses.replace(outcome, llm_calls=len(stub.requests) - llm_before)
            steps_run = number
            mismatches = check_step(step, outcome, h.sandbox.salon, h.clock.now())
            if mismatches:
                return TranscriptResult(
                    t,
                    steps_run,
                    number,
                    tuple(mismatches),
                    _ms_since(started),
                    tuple(outcome.replies),
                )
    return TranscriptResult(t, steps_run, None, (), _ms_since(started))


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
