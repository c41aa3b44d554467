"""The dialogue policy: one table from (state, what the bot awaits, intent) to a handler.

Rows are the intents the filler reports, columns the states a conversation rests in
between turns (`machine.RESTING`); each cell names one handler below. The table is parsed
at import: a missing or unknown cell is an error, and `tests/states/test_policy.py`
walks every cell. Issue 17 sends `hand` cells to a person.

Columns: idle · collecting (service, master, date, change, name, phone) · suggesting option ·
confirming (yes_no, name, phone) · booked · booked awaiting a reminder's answer (issue 16:
"да" confirms the visit, "не смогу" offers to move or cancel it) · cancelling yes_no ·
rescheduling date.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from states import answers, handlers_reminder, handlers_request, handlers_talk, handlers_visits
from states.machine import BOOKED, RESTING
from states.slot_fill import Intent, SlotFill
from states.turn_context import Turn

Handler = Callable[[Turn, SlotFill], Awaitable[None]]

TABLE = """
intent          idle svc  mst  day  chg  cnm  cph  opt  yn   nam  fph  bkd  rem  cyn  rdy
book            new  req  req  req  req  cont cont pick chg  cont cont new  new  new  req
confirm         chat one  one  one  req  wait wait one  yes  cont cont chat cnfv cnfc wait
deny            chat wait wait wait wait wait wait nope what wait wait chat decl keep keep
abort           cncl drop drop drop drop drop drop drop drop drop drop cncl decl keep keep
choose_option   pick pick pick pick pick cont cont pick wait cont cont pick wait wait pick
change          new  req  req  req  req  cont cont pick chg  cont cont new  rres new  req
earlier         shft shft shft shft shft wait wait shft shft wait wait shft rmov shft shft
later           shft shft shft shft shft wait wait shft shft wait wait shft rmov shft shft
other_master    othr othr othr othr othr wait wait othr othr wait wait othr rmov wait othr
same_time       resc same same same same wait wait same same wait wait resc wait wait same
cancel          cncl stop stop stop stop stop stop stop stop stop stop cncl decl cnfc cncl
reschedule      resc resc resc resc resc resc resc resc resc resc resc resc rres resc resc
ask_price       ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans
ask_address     ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans
ask_hours       ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans
ask_who_works   ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans
ask_free_slots  free free free free free ans  ans  free free ans  ans  free ans  ans  free
ask_faq         ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans  ans
late_notice     late late late late late late late late late late late late late late late
complaint       hand hand hand hand hand hand hand hand hand hand hand hand hand hand hand
ask_human       hand hand hand hand hand hand hand hand hand hand hand hand hand hand hand
greeting        hi   hey  hey  hey  hey  hey  hey  hey  hey  hey  hey  hi   hey  hey  hey
small_talk      chat nod  nod  nod  nod  nod  nod  nod  nod  nod  nod  chat nod  nod  nod
unknown         help wait wait wait wait cont cont wait wait cont cont help wait wait wait
"""


async def declined_then_as_booked(turn: Turn, fill: SlotFill) -> None:
    """In reply to a reminder, "пораньше", "попозже", "к другому мастеру": the client will
    not come as reminded; then the intent is handled as for any booked visit."""
    await handlers_reminder.record_declined(turn)
    await handler(BOOKED, fill.intent)(turn, fill)


HANDLERS: dict[str, Handler] = {
    # the visit being arranged
    "new": handlers_request.new_request,
    "req": handlers_request.take_request,
    "pick": handlers_request.pick,
    "one": handlers_request.only_one,
    "yes": handlers_request.confirm,
    "chg": handlers_request.change_or_confirm,
    "cont": handlers_request.contact_given,
    # booked visits, and moving in time or between masters
    "cncl": handlers_visits.ask_to_cancel,
    "cnfc": handlers_visits.cancel_visit,
    "resc": handlers_visits.ask_to_reschedule,
    "shft": handlers_visits.shift,
    "othr": handlers_visits.other_master,
    "same": handlers_visits.same_time,
    # a visit reminder's answer
    "cnfv": handlers_reminder.confirm_visit,
    "decl": handlers_reminder.decline,
    "rres": handlers_reminder.reschedule_instead,
    "rmov": declined_then_as_booked,
    # questions, from salon facts
    "ans": answers.answer,
    "free": answers.free_or_offer,
    # everything around the booking
    "nope": handlers_talk.other_times,
    "what": handlers_talk.what_to_change,
    "drop": handlers_talk.abort,
    "keep": handlers_talk.keep_visit,
    "stop": handlers_talk.stop_or_cancel,
    "late": handlers_talk.late_notice,
    "hand": handlers_talk.hand_off,
    "hi": handlers_talk.greet,
    "hey": handlers_talk.greet_back,
    "chat": handlers_talk.small_talk,
    "nod": handlers_talk.nod,
    "help": handlers_talk.offer_help,
    "wait": handlers_talk.not_understood,
}

# The column names above, in the order of `machine.RESTING`.
COLUMNS = dict(
    zip(
        [
            "idle",
            "svc",
            "mst",
            "day",
            "chg",
            "cnm",
            "cph",
            "opt",
            "yn",
            "nam",
            "fph",
            "bkd",
            "rem",
            "cyn",
            "rdy",
        ],
        RESTING,
        strict=True,
    )
)


def parse(table: str) -> dict[tuple[str, Intent], str]:
    """Cell codes by (resting state, intent); ValueError on a malformed table."""
    lines = [line.split() for line in table.strip().splitlines()]
    header, rows = lines[0][1:], lines[1:]
    if header != list(COLUMNS):
        raise ValueError(f"columns {header} are not {list(COLUMNS)}")
    cells: dict[tuple[str, Intent], str] = {}
    for row in rows:
        intent = Intent(row[0])
        if len(row) != len(header) + 1:
            raise ValueError(f"row {intent} has {len(row) - 1} cells, not {len(header)}")
        for column, code in zip(header, row[1:], strict=True):
            if code not in HANDLERS:
                raise ValueError(f"{intent} × {column}: unknown handler {code!r}")
            cells[(COLUMNS[column], intent)] = code
    return cells


CELLS = parse(TABLE)


def handler(state: str, intent: Intent) -> Handler:
    """The handler of a cell; KeyError for a cell the table lacks (the test forbids it)."""
    return HANDLERS[CELLS[(state, intent)]]
