"""The console in a real headless browser: Debian's Chromium driven through Playwright.

One browser and one console serve the whole module, over the engine on a virtual clock
(the real worker answers what clients write). The console shows what a transcript left in
Redis (a booked conversation), a batch that failed for good and one still waiting; the
tests log in, read the list and the timeline, requeue the dead letter, reset the dialogue,
pause the bot (a client's message then gets no answer) and hand the chat back, write to
the client as the salon (the bot pauses), read the hand-off queue and the hand-offs in the
health chart, check refusals, and save a screenshot of every page at desktop and phone
width.
"""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from PIL import Image
from playwright.async_api import BrowserContext, Page, async_playwright

from adapters.console.app import mount_console
from engine.console_data import EngineConsoleData
from engine.harness import Harness
from engine.keys import Keys
from engine.redis_conn import client_for
from engine.reminders import ReminderPolicy, ReminderStore
from engine.transcripts.model import load_transcript
from engine.transcripts.runner import run_transcript
from engine.visit import Visit
from states.masking import mask_phone
from states.messages import InboundMessage
from tests.support.console import TIMEZONE, harness, make_dead_letter

pytestmark = pytest.mark.asyncio(loop_scope="module")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOKEN = "browser-test-admin-token"
TRANSCRIPT = "any_master_first_free.yaml"
DEAD_PHONE, WAITING_PHONE = "79990007701", "79990007702"
WIDTHS = (1280, 390)


@dataclasses.dataclass(frozen=True)
class Site:
    base: str  # http://127.0.0.1:<port>/admin
    phone: str  # the transcript's conversation
    client_name: str
    first_message: str
    engine: Harness  # the worker, the messenger (what clients receive), the clock


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def site(redis_url: str, repo_root: Path) -> AsyncIterator[Site]:
    keys = Keys(prefix=f"t{uuid.uuid4().hex[:12]}")
    redis = client_for(redis_url)
    transcript = load_transcript(repo_root / "fixtures" / "transcripts" / TRANSCRIPT)
    result = await run_transcript(transcript, redis, keys)
    assert result.passed, result.mismatches
    server: TestServer | None = None
    try:
        # An hour after the transcript began: the same salon day.
        async with harness(redis, keys, transcript.start + timedelta(hours=1)) as h:
            await make_dead_letter(h.batcher, h.clock, DEAD_PHONE, "Запишите на маникюр")
            waiting = InboundMessage(
                id="false_waiting_1",
                chat=f"{WAITING_PHONE}@c.us",
                type="chat",
                body="Здравствуйте",
                timestamp_s=h.clock.now_ms() / 1000,
            )
            await h.batcher.append(WAITING_PHONE, waiting)
            booking = (await h.store.load(transcript.phone)).booking
            assert booking is not None
            visit_at = datetime.fromisoformat(booking.datetime_iso)
            visit = Visit(record_id=booking.record_id, phone=transcript.phone, start=visit_at)
            reminders = ReminderStore(redis, keys, h.clock)
            await reminders.schedule_visit(visit, ReminderPolicy.parse())
            app = web.Application()
            mount_console(
                app, EngineConsoleData(h.store, h.batcher, TIMEZONE, takeover=h.takeover), TOKEN
            )
            server = TestServer(app, host="127.0.0.1")
            await server.start_server()
            first = transcript.steps[0].send[0]
            yield Site(
                base=str(server.make_url("/admin")),
                phone=transcript.phone,
                client_name=transcript.pushname or "",
                first_message=first if isinstance(first, str) else first.text,
                engine=h,
            )
    finally:
        if server is not None:
            await server.close()
        async for key in redis.scan_iter(match=f"{keys.prefix}:*", count=500):
            await redis.delete(key)
        await redis.aclose()


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Debian's Chromium; its absence fails the tests loudly, never skips them."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the console's browser tests need Debian's Chromium "
            "(apt-get install -y chromium chromium-driver; .ci/run does it on a fresh machine)"
        )
    return CHROMIUM


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(
    chromium: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BrowserContext]:
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"),  # a fresh profile every run
            executable_path=str(chromium),
            args=CHROMIUM_ARGS,
            headless=True,
            locale="ru-RU",
        )
        context.set_default_timeout(10_000)
        try:
            yield context
        finally:
            await context.close()


@contextlib.asynccontextmanager
async def opened(browser: BrowserContext) -> AsyncIterator[Page]:
    page = await browser.new_page()
    try:
        yield page
    finally:
        await page.close()


async def on_the_timeline(browser: BrowserContext, site: Site) -> Page:
    page = await logged_in(browser, site)
    await page.goto(f"{site.base}/c/{site.phone}")
    return page


async def logged_in(browser: BrowserContext, site: Site) -> Page:
    """A page on the conversations list, logging in through the form when needed."""
    page = await browser.new_page()
    await page.goto(f"{site.base}/")
    if "/login" in page.url:
        await page.fill("#token", TOKEN)
        async with page.expect_navigation():
            await page.click("form[action$='/login'] button")
    assert page.url == f"{site.base}/", page.url
    return page


async def test_without_a_session_every_page_goes_to_the_login(
    browser: BrowserContext, site: Site
) -> None:
    await browser.clear_cookies()
    async with opened(browser) as page:
        for path in ("/", f"/c/{site.phone}", "/handoffs", "/health"):
            await page.goto(site.base + path)
            assert page.url.startswith(f"{site.base}/login?next=/admin"), path
            assert await page.is_visible("#token")
    for path in (f"/c/{site.phone}/reset", f"/c/{site.phone}/pause", "/dead/00-x/requeue"):
        response = await browser.request.post(site.base + path, form={"csrf": "0" * 64})
        assert response.status == 401, path


async def test_log_in_and_see_the_transcripts_conversation(
    browser: BrowserContext, site: Site
) -> None:
    page = await logged_in(browser, site)
    try:
        row = page.locator("tr", has=page.locator(f"a[href$='/c/{site.phone}']"))
        await row.wait_for()
        assert mask_phone(site.phone) in await row.inner_text()
        assert site.phone not in await row.inner_text()  # masked until revealed
        assert site.client_name in await row.inner_text()
        assert "записан" in await row.inner_text()
        await page.click("text=Записаны сегодня")
        assert "view=booked" in page.url
        assert await page.locator(f"a[href$='/c/{site.phone}']").count() == 1
        assert await page.locator(f"a[href$='/c/{DEAD_PHONE}']").count() == 0
        await page.click("text=Ошибки")
        assert await page.locator(f"a[href$='/c/{DEAD_PHONE}']").count() == 1
    finally:
        await page.close()


async def test_open_its_timeline(browser: BrowserContext, site: Site) -> None:
    page = await logged_in(browser, site)
    try:
        async with page.expect_navigation():
            await page.click(f"a[href$='/c/{site.phone}']")
        timeline = page.locator("section.timeline")
        assert site.first_message in await timeline.inner_text()
        bot = await page.locator(".msg.bot").all_inner_texts()
        assert any("18:00" in text for text in bot)
        details = page.locator("details").last
        await details.locator("summary").click()
        calls = await details.inner_text()
        assert "book_record" in calls and "✓" in calls
        assert "запись №" in await page.inner_text("main")
        assert "запланировано" in await page.inner_text("main")  # the visit's reminders
    finally:
        await page.close()


async def test_forged_csrf_gets_403(browser: BrowserContext, site: Site) -> None:
    page = await logged_in(browser, site)
    await page.close()
    for forged in ("0" * 64, ""):
        response = await browser.request.post(
            f"{site.base}/c/{site.phone}/reset", form={"csrf": forged}
        )
        assert response.status == 403
        assert "CSRF" in await response.text()


async def test_screenshots_of_every_page_at_desktop_and_phone_width(
    browser: BrowserContext, site: Site, tmp_path: Path
) -> None:
    await browser.clear_cookies()
    shots = []
    async with opened(browser) as page:
        for width in WIDTHS:
            await page.set_viewport_size({"width": width, "height": 800})
            await page.goto(f"{site.base}/login")
            shots.append(await _shot(page, tmp_path, "login", width))
    page = await logged_in(browser, site)
    try:
        pages = {
            "conversations": "/",
            "timeline": f"/c/{site.phone}",
            "handoffs": "/handoffs",
            "health": "/health",
        }
        for width in WIDTHS:
            await page.set_viewport_size({"width": width, "height": 800})
            for name, path in pages.items():
                await page.goto(site.base + path)
                shots.append(await _shot(page, tmp_path, name, width))
    finally:
        await page.close()
    assert len(shots) == 5 * len(WIDTHS)


async def _shot(page: Page, folder: Path, name: str, width: int) -> Path:
    """Save a full-page screenshot; it must be as wide as the screen (nothing spills out
    sideways on a phone) and show a real page (more than a handful of colours)."""
    path = folder / f"{name}-{width}.png"
    await page.screenshot(path=str(path), full_page=True)
    with Image.open(path) as image:
        assert image.width == width, (name, image.size)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 8, (name, width, len(colours))
    return path


async def test_health_shows_the_queue_and_requeues_a_dead_letter(
    browser: BrowserContext, site: Site
) -> None:
    page = await logged_in(browser, site)
    try:
        await page.goto(f"{site.base}/health")
        assert await page.inner_text("#pending-batches") == "1"
        row = page.locator("tr", has=page.locator(f"a[href$='/c/{DEAD_PHONE}']"))
        assert "Запишите на маникюр" in await row.inner_text()
        assert "<svg" in await page.inner_html("main")
        async with page.expect_navigation():
            await row.locator("button").click()
        assert "Партия возвращена в очередь" in await page.inner_text(".notice")
        assert "Сбойных партий нет" in await page.inner_text("main")
        assert await page.inner_text("#pending-batches") == "2"
    finally:
        await page.close()


async def test_reset_it_from_the_timeline(browser: BrowserContext, site: Site) -> None:
    page = await logged_in(browser, site)
    try:
        await page.goto(f"{site.base}/c/{site.phone}")
        async with page.expect_navigation():
            await page.click("form[action$='/reset'] button")
        assert "Диалог сброшен" in await page.inner_text(".notice")
        assert await page.inner_text(".head .state") == "нет запроса"
        assert "оператор сбросил диалог" in await page.inner_text("section.timeline")
    finally:
        await page.close()


async def test_pause_keeps_the_bot_quiet_and_resume_hands_the_chat_back(
    browser: BrowserContext, site: Site
) -> None:
    h, chat = site.engine, f"{site.phone}@c.us"
    page = await on_the_timeline(browser, site)
    try:
        async with page.expect_navigation():
            await page.click("form[action$='/pause'] button")
        assert "Бот на паузе" in await page.inner_text(".notice")
        assert "бот на паузе до" in await page.inner_text(".head")
        assert await h.takeover.paused_until(site.phone) is not None
        before = len(h.messenger.to(chat))
        assert await h.send(site.phone, "Алло, вы тут?", msg_id="console-pause-1")
        await h.settle()  # its turn runs: it keeps the message and answers nothing
        assert h.messenger.to(chat)[before:] == []
        await page.reload()
        timeline = await page.inner_text("section.timeline")
        assert "Алло, вы тут?" in timeline and "Бот не отвечал: чат у человека" in timeline
        assert "оператор поставил бота на паузу" in timeline
        async with page.expect_navigation():
            await page.click("form[action$='/resume'] button")
        assert "Диалог возвращён боту" in await page.inner_text(".notice")
        assert "бот на паузе" not in await page.inner_text(".head")
        assert await h.send(
            site.phone, "Здравствуйте! Запишите на стрижку", msg_id="console-pause-2"
        )
        await h.settle()
        assert len(h.messenger.to(chat)) == before + 1  # the bot answers again
    finally:
        await page.close()


async def test_a_message_as_the_salon_goes_out_and_pauses_the_bot(
    browser: BrowserContext, site: Site
) -> None:
    h, chat = site.engine, f"{site.phone}@c.us"
    page = await on_the_timeline(browser, site)
    try:
        await page.fill("form[action$='/send'] textarea", "Добрый день! Это Мария, администратор.")
        async with page.expect_navigation():
            await page.click("form[action$='/send'] button")
        assert "Сообщение отправлено" in await page.inner_text(".notice")
        assert h.messenger.to(chat)[-1] == "Добрый день! Это Мария, администратор."
        assert "бот на паузе до" in await page.inner_text(".head")  # like a takeover
        salon = await page.locator(".msg.salon").all_inner_texts()
        assert any("Это Мария" in text for text in salon)
        before = len(h.messenger.to(chat))
        assert await h.send(site.phone, "Спасибо, жду", msg_id="console-send-1")
        await h.settle()
        assert len(h.messenger.to(chat)) == before  # the person has the chat now
        async with page.expect_navigation():
            await page.click("form[action$='/resume'] button")
    finally:
        await page.close()


async def test_the_hand_off_queue_oldest_first_and_hand_offs_per_day(
    browser: BrowserContext, site: Site
) -> None:
    h = site.engine
    first, second = "79990007711", "79990007712"
    await h.turn(first, "Позовите администратора, пожалуйста", pushname="Олег")
    h.clock.advance(60)
    complaint = "Это ужасно, мастер испортил мне стрижку, буду жаловаться"
    await h.turn(second, complaint, pushname="Вера")
    assert ((await h.conversation(second)).handoff or {}).get("reason") == "complaint"
    page = await logged_in(browser, site)
    try:
        await page.goto(f"{site.base}/handoffs")
        rows = await page.locator("table.rows tbody tr").all_inner_texts()
        assert len(rows) == 2, rows
        assert "Олег" in rows[0] and "клиент просит администратора" in rows[0]  # oldest first
        assert "Вера" in rows[1] and "жалоба" in rows[1]
        await page.goto(f"{site.base}/?view=person")
        assert await page.locator(f"a[href$='/c/{first}']").count() == 1
        await page.goto(f"{site.base}/health")
        chart = await page.inner_html("svg.chart")
        day = h.clock.now().astimezone(ZoneInfo(TIMEZONE))
        # Four chats a person took today: two pauses above, the salon's message, two hand-offs.
        assert f"{day:%d.%m}: 4 передачи человеку" in chart
    finally:
        await page.close()
