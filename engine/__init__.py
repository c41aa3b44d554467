"""Runtime: settings, Redis, key layout, batcher, worker, dialogue runner, CLI."""
