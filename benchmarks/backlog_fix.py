"""The worker with the claim-pass fix proposed in BENCHMARKS.md, for measuring it only.

Not used by the product: the flush-lag and scale-out benchmarks run it beside the shipped
`engine.worker.Worker` (flag `--with-backlog-fix`) so the figures show what the fix buys.
"""

from __future__ import annotations

from engine.worker import Worker


class BacklogAwareWorker(Worker):
    """The worker with the fix proposed in BENCHMARKS.md (used only with `--backlog-fix`).

    `Worker._claim_due` reads each bucket's earliest due time once; a bucket that was due
    is claimed from, but its *next* due time (a batch falling due a few ms later, or phones
    beyond the free slots) never reaches `earliest_future`, so the worker sleeps
    `max_idle_s` (1 s) with work due. Here a pass that met a due bucket asks for another
    pass at once; that pass reads the fresh due times and sleeps exactly until the next.
    """

    async def _claim_due(self) -> float | None:
        now = self.clock.now_ms()
        earliest_future: float | None = None
        met_due = False
        for bucket, due in await self.batcher.next_due():
            if due is None:
                continue
            if due > now:
                earliest_future = due if earliest_future is None else min(earliest_future, due)
                continue
            met_due = True
            free = self.concurrency - len(self._running)
            if free <= 0:
                break
            for phone in await self.batcher.due_phones(bucket, now, free):
                batch = await self.batcher.claim(phone)
                if batch is not None:
                    self._start(batch)
        return now if met_due else earliest_future
