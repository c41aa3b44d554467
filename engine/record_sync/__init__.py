"""Following the salon's own changes in YClients: record webhooks -> effects, deduplicated.

`RecordSync.handle(change)` -> `RecordEffect`; `RecordLog.expect` / `remember` mark the
bot's own changes; `visit_notice` words what the client is told.
"""

from engine.record_sync.effects import (
    Known,
    NoticePolicy,
    RecordEffect,
    decide,
    fingerprint,
    is_bot_api_id,
    merge,
)
from engine.record_sync.log import RecordLog
from engine.record_sync.notices import visit_notice
from engine.record_sync.sync import RecordSync, RecordSyncConflict

__all__ = [
    "Known",
    "NoticePolicy",
    "RecordEffect",
    "RecordLog",
    "RecordSync",
    "RecordSyncConflict",
    "decide",
    "fingerprint",
    "is_bot_api_id",
    "merge",
    "visit_notice",
]
