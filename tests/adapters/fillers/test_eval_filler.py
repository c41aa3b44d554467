"""`ai-admin eval-filler`: the real command in a subprocess, offline and against the local
OpenAI-compatible stub over HTTP (through the real `openai` client)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from adapters.fillers.openai_stub import OpenAIStub
from tests.adapters.fillers.conftest import REPO

NAILS = REPO / "fixtures" / "catalogues" / "nail_studio.yaml"
SMALL = """\
now: "2025-11-30T15:30:00+07:00"
timezone: Asia/Novosibirsk
salon: {salon}
cases:
  - {{id: e-1, text: "маникюр с покрытием гель-лак к Насте завтра в 14:00", expect: {{intent: book, services: [Маникюр с покрытием гель-лак], master: Анастасия, date: "2025-12-01", time: "14:00"}}}}
  - {{id: e-2, text: "к Катюше на педикюр", expect: {{intent: book, services: [Педикюр без покрытия], master: Екатерина}}}}
"""  # noqa: E501


async def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    full_env.update(env or {})
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "engine", "eval-filler", *args, cwd=REPO, env=full_env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_the_offline_filler_is_scored_per_slot_per_catalogue_and_misreads_listed() -> None:
    code, out, _ = await _run("--check")
    assert code == 0, out
    assert "per slot" in out and "all slots" in out
    for catalogue in ("nail_studio.yaml", "barbershop_combos.yaml", "demo.yaml"):
        assert catalogue in out
    assert "misread utterances (" in out  # the known misses are listed with their words
    assert "стрижку к Бари а бороду к Игорю" in out


async def test_catalogue_keeps_only_that_salons_cases() -> None:
    code, out, _ = await _run("--catalogue", str(NAILS))
    assert code == 0
    assert "nail_studio.yaml" in out and "barbershop_combos.yaml" not in out


async def test_openai_scores_any_compatible_endpoint_through_the_same_resolution(
    tmp_path: Path,
) -> None:
    labelled = tmp_path / "small.yaml"
    labelled.write_text(SMALL.format(salon=NAILS), encoding="utf-8")
    stub = OpenAIStub()
    # Realistic model output: the client's own words, a diminutive, an inflected title.
    stub.script([
        {"intent": "book", "service_phrases": ["маникюр с покрытием гель-лак"],
         "master_choice": "named", "master": "Насте", "date_phrase": "завтра",
         "time_phrase": "14:00", "option": None, "client_name": None, "phone": None,
         "language": "ru"},
        {"intent": "book", "service_phrases": ["педикюр"], "master_choice": "named",
         "master": "Катюше", "date_phrase": None, "time_phrase": None, "option": None,
         "client_name": None, "phone": None, "language": "ru"},
    ])  # fmt: skip
    async with stub as base_url:
        env = {"OPENAI_BASE_URL": base_url, "OPENAI_MODEL": "stub-model",
               "OPENAI_API_KEY": "sk-test-not-a-key"}  # fmt: skip
        code, out, err = await _run("--openai", "--labelled", str(labelled), "--check", env=env)
    assert code == 0, out + err
    assert "OpenAIFiller" in out and "misread utterances (0)" in out
    assert len(stub.requests) == 2 and stub.requests[0]["model"] == "stub-model"


async def test_a_wrong_answer_from_the_model_is_listed_as_misread(tmp_path: Path) -> None:
    labelled = tmp_path / "small.yaml"
    labelled.write_text(SMALL.format(salon=NAILS), encoding="utf-8")
    stub = OpenAIStub()
    wrong = {"intent": "book", "service_phrases": ["педикюр"], "master_choice": None,
             "master": None, "date_phrase": None, "time_phrase": None, "option": None,
             "client_name": None, "phone": None, "language": "ru"}  # fmt: skip
    stub.script([wrong, wrong])
    async with stub as base_url:
        env = {"OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": "sk-test-not-a-key"}
        code, out, _ = await _run("--openai", "--labelled", str(labelled), "--check", env=env)
    assert code == 1
    assert "misread utterances (2)" in out  # the model named no master, no date
    assert "e-1: " in out and "e-2: " in out


async def test_openai_without_a_key_is_one_clear_line_and_exit_2() -> None:
    code, out, err = await _run("--openai")
    assert code == 2 and out == ""
    assert err.strip().splitlines()[-1] == (
        "ai-admin eval-filler: OPENAI_API_KEY is not set (needed to score the LLM filler)"
    )


async def test_a_missing_labelled_set_is_exit_2() -> None:
    code, _, err = await _run("--labelled", "/nonexistent/labels")
    assert code == 2 and "no such labelled set" in err
