"""Slot fillers: the offline rule-based filler (default) and the OpenAI filler.

Both implement `states.slot_fill.SlotFiller`. The engine builds one in its composition
root: `OpenAIFiller(make_openai_client(key, base_url), model)` from
`adapters.fillers.openai_filler` when an API key is set, else `OfflineFiller()`. Only the
offline filler is exported here: importing `openai` costs ~15 MB and 0.8 s, which a worker
without a key never pays (issue 15).
"""

from adapters.fillers.offline import OfflineFiller

__all__ = ["OfflineFiller"]
