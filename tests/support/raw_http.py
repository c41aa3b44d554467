"""HTTP/1.1 by hand over a socket, for requests a client library refuses to send: header
values with any bytes, half-sent heads, bodies that never finish. Every wait is bounded."""

from __future__ import annotations

import asyncio


def request_head(
    method: str, path: str, headers: list[tuple[str, bytes]], body_length: int | None = None
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: 127.0.0.1", b"Connection: close"]
    lines += [name.encode() + b": " + value for name, value in headers]
    if body_length is not None:
        lines.append(f"Content-Length: {body_length}".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n"


async def raw_request(port: int, data: bytes, timeout_s: float = 10.0) -> tuple[int, bytes]:
    """Send `data` as is; (status, body) of the answer (its Content-Length bytes)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        async with asyncio.timeout(timeout_s):
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            fields = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
            body = await reader.readexactly(int(fields.get("content-length", "0")))
    finally:
        writer.close()
    return int(lines[0].split(" ", 2)[1]), body


async def seconds_until_closed(port: int, data: bytes, timeout_s: float) -> float | None:
    """Send `data`, then wait for the server to close the connection: how long it took,
    or None when it still held the connection after `timeout_s`."""
    loop = asyncio.get_running_loop()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        started = loop.time()
        try:
            async with asyncio.timeout(timeout_s):
                while await reader.read(4096):
                    pass  # an error page may come first; closing is what counts
        except TimeoutError:
            return None
        return loop.time() - started
    finally:
        writer.close()
