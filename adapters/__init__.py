"""Edges of the product: HTTP webhook, messengers, YClients client and sandbox, slot fillers."""
