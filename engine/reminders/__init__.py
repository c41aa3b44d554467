"""Visit reminders: timing rules, the Redis store, the sender loop, and the text.

`ReminderPolicy.parse(...)` from the settings; `ReminderStore` schedules, moves, drops,
lists, answers and claims; `ReminderSender(...).run(stop)` sends them from a worker.
"""

from engine.reminders.delivery import CloudDelivery, ReminderDelivery, TextDelivery
from engine.reminders.sender import ReminderSender
from engine.reminders.store import ClaimedReminder, Reminder, ReminderStore, ScheduleResult
from engine.reminders.text import SalonInfo, TemplateSpec, reminder_text, template_message
from engine.reminders.timing import ReminderPolicy, plan_reminders

__all__ = [
    "ClaimedReminder",
    "CloudDelivery",
    "Reminder",
    "ReminderDelivery",
    "ReminderPolicy",
    "ReminderSender",
    "ReminderStore",
    "SalonInfo",
    "ScheduleResult",
    "TemplateSpec",
    "TextDelivery",
    "plan_reminders",
    "reminder_text",
    "template_message",
]
