"""How every PLC Suite process serves HTTP: uvicorn, with two bounds its protocols do not have.

uvicorn's fast protocol (httptools) accepts a request head of any size and waits for it forever: one 8 MB
header was answered 200, and twenty connections dribbling headers held 170 MiB. Its h11 protocol bounds the
head's size (`--h11-max-incomplete-event-size`) but not the time, and parses in pure Python: measured here on
a trivial app, 1,578 requests/s against httptools' 3,804, a cost the gateway's hot path cannot pay. So the
processes run httptools with:

- a head-size bound (`PLC_HTTP_MAX_HEAD_BYTES`, 32 KiB: request line + headers, nginx's default buffers):
  past it the request is answered 431 and the connection closed, so a connection buffers at most the bound
  plus one socket read;
- a head-time bound (`PLC_HTTP_HEAD_TIMEOUT_S`, 10 s) from the connection's start or a request's first byte
  until its last header: a slow sender is answered 408 and closed, a connection that sent nothing is closed
  (idle keep-alive connections are closed after `PLC_HTTP_KEEP_ALIVE_S`, uvicorn's own timer).

Bodies are bounded by the gateway (size, read time) before they reach a service or the web app.
`python -m plc_shared.serving <component>` is how `plc up` and the image start every process; tests serve
apps in-process with `config()`, so they run under the same bounds.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import Any

import uvicorn
from pydantic_settings import BaseSettings, SettingsConfigDict
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from plc_shared.components import by_name


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PLC_HTTP_", extra="ignore")

    max_head_bytes: int = 32 * 1024
    head_timeout_s: float = 10.0
    keep_alive_s: int = 5  # the gateway drops idle upstream connections before this (4 s)
    graceful_shutdown_s: int = 15


LINGER_S = 2.0


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the head bounded in size and time (values set by `protocol()`)."""

    max_head_bytes = 32 * 1024
    head_timeout_s = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._in_head, self._head_bytes, self._lingering = True, 0, False
        self._head_timer: asyncio.TimerHandle | None = None
        self._arm_head_timer()  # a connection that sends nothing at all is closed too

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            return  # refused: what the client still sends is read and dropped, see _refuse
        if self._in_head:
            self._head_bytes += len(data)
            self._arm_head_timer()
        super().data_received(data)  # may complete the head (on_headers_complete) or the request
        if self._in_head and self._head_bytes > self.max_head_bytes:
            self._refuse(431, "Request header fields too large.")

    def on_headers_complete(self) -> None:
        self._in_head, self._head_bytes = False, 0
        self._cancel_head_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True  # whatever arrives next is the next request's head

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout_s, self._head_too_slow)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if not self._in_head or self.transport.is_closing():
            return
        if self._head_bytes == 0:  # nothing was ever sent (a browser's preconnect): no request to answer
            self.transport.close()
            return
        self._refuse(408, "The request's headers took too long to arrive.")

    def _refuse(self, status: int, message: str) -> None:
        """Answer and close; mid-response (a pipelined request behind a running one) just close.

        The close lingers (RFC 9112 9.6): closing a socket with unread bytes in it sends a reset, which can
        destroy the answer before the client, still sending its head, reads it. So the write side is shut
        (FIN after the answer), what still arrives is dropped unread, and the socket closes LINGER_S later."""
        if self.transport.is_closing() or self._lingering:
            return
        self._cancel_head_timer()
        if self.cycle is not None and not self.cycle.response_complete:
            self.transport.close()
            return
        body = message.encode("ascii")
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head.append(b"content-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\n" % len(body))
        self.transport.write(b"".join([*head, b"connection: close\r\n\r\n", body]))
        self._lingering = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.flow.resume_reading()
        self.loop.call_later(LINGER_S, self.transport.close)


def protocol(settings: ServerSettings) -> type[BoundedHttpToolsProtocol]:
    bounds = {"max_head_bytes": settings.max_head_bytes, "head_timeout_s": settings.head_timeout_s}
    return type("BoundedHttpToolsProtocol", (BoundedHttpToolsProtocol,), bounds)


def config(app: Any, *, host: str, port: int, settings: ServerSettings | None = None, **options: Any):
    """A uvicorn Config with the bounds, no access log (the apps log one line per request themselves)."""
    settings = settings or ServerSettings()
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol(settings),
        timeout_keep_alive=settings.keep_alive_s,
        timeout_graceful_shutdown=settings.graceful_shutdown_s,
        access_log=False,
        **options,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m plc_shared.serving", description=__doc__.splitlines()[0])
    parser.add_argument("component", help="gateway, web, assessments, goals, interventions or reviews")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    app = by_name(args.component).app  # `<name>.main:create_app`, called by uvicorn (factory)
    server = uvicorn.Server(
        config(app, host=args.host, port=args.port, factory=True, log_level=args.log_level)
    )
    server.run()
    return 0 if server.started else 1


if __name__ == "__main__":
    sys.exit(main())
