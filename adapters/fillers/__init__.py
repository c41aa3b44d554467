"""Slot fillers: the offline rule-based filler (default) and the OpenAI filler.

Both implement `states.slot_fill.SlotFiller`. The engine builds one in its composition
root: `OpenAIFiller(make_openai_client(key, base_url), model)` when an API key is set,
else `OfflineFiller()`.
"""

from adapters.fillers.offline import OfflineFiller
from adapters.fillers.openai_filler import OpenAIFiller, make_openai_client

__all__ = ["OfflineFiller", "OpenAIFiller", "make_openai_client"]
