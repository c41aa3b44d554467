"""The stub server itself, as later transcript tests will use it."""

from __future__ import annotations

import aiohttp

from adapters.fillers.openai_stub import OpenAIStub, StubError


async def test_the_stub_answers_in_script_order_and_records_requests() -> None:
    stub = OpenAIStub()
    stub.script(["first", {"second": 2}, StubError(429, "slow down")])
    async with stub as base_url, aiohttp.ClientSession() as http:
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v1")
        answers = []
        for n in range(4):
            async with http.post(
                f"{base_url}/chat/completions", json={"model": "m", "n": n},
                headers={"Authorization": "Bearer secret"},
            ) as response:  # fmt: skip
                answers.append((response.status, await response.json()))
    contents = [a[1]["choices"][0]["message"]["content"] for a in answers[:2]]
    assert contents == ["first", '{"second": 2}']
    assert answers[2][0] == 429 and answers[2][1]["error"]["message"] == "slow down"
    assert answers[3][0] == 500 and "exhausted" in answers[3][1]["error"]["message"]
    assert [r["n"] for r in stub.requests] == [0, 1, 2, 3]
    assert all("Authorization" not in h for h in stub.headers)


async def test_the_stub_refuses_a_body_that_is_not_json() -> None:
    async with (
        OpenAIStub() as base_url,
        aiohttp.ClientSession() as http,
        http.post(f"{base_url}/chat/completions", data=b"{nope") as response,
    ):
        assert response.status == 400
