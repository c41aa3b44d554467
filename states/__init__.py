"""The dialogue itself: state names, transitions, guards, slots and reply templates.

Nothing here imports `engine` or `adapters`; the outside world is reached through the
small protocols declared in `states.ports` (and `states.salon`, `states.slot_fill`).
"""
