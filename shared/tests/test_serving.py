"""The request-head bounds every process runs with (plc_shared.serving), on real sockets.

The first tests run the gateway and the web app as `plc up` and the image start them (their serve command,
a separate process on its own migrated database) and watch the process's resident memory from /proc while
connections send huge or endless headers: before the bounds, one 8 MB header was answered 200 and twenty
such connections held 170 MiB. The others drive the protocol in this process to pin its edges: keep-alive,
a head split over reads, a big body after a small head."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from plc_shared import infra, serving
from plc_shared.components import GATEWAY, WEB
from plc_shared.testing import migrated_database, serve_app

MIB = 1024 * 1024


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@contextlib.asynccontextmanager
async def process(component, env: dict[str, str]):
    port = infra.free_port()
    child = subprocess.Popen(  # noqa: ASYNC220 - returns at once
        component.serve_command("127.0.0.1", port),
        env={**os.environ, **env, "PLC_HTTP_HEAD_TIMEOUT_S": "2"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/healthz")).status_code == 200:
                        break
                assert child.poll() is None and time.monotonic() < deadline, "the process did not start"
                await asyncio.sleep(0.2)
        yield port, child.pid
    finally:
        child.terminate()
        child.wait(timeout=30)


async def environment(create_database, component) -> dict[str, str]:
    """The component's settings as `plc up` gives them: its own migrated database."""
    url = await migrated_database(create_database, component)
    return {component.database_url_env: url, f"{component.env_prefix}LOG_LEVEL": "WARNING"}


async def send_head(port: int, header_bytes: int, chunk: int = 64 * 1024, pause_s: float = 0.0) -> bytes:
    """GET / with one header of `header_bytes`, sent in chunks; what the server answered (b"" if nothing)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ")
        sent = 0
        while sent < header_bytes:
            writer.write(b"a" * min(chunk, header_bytes - sent))
            sent += chunk
            await writer.drain()
            if pause_s:
                await asyncio.sleep(pause_s)
        writer.write(b"\r\n\r\n")
        await writer.drain()
    except ConnectionError:
        pass  # refused mid-head: the answer is already waiting in the socket
    try:
        return await asyncio.wait_for(reader.read(), 10)
    except ConnectionError:
        return b""
    finally:
        writer.close()


@pytest.mark.parametrize("component", [GATEWAY, WEB], ids=lambda c: c.name)
async def test_an_8_mb_header_is_refused_and_twenty_huge_heads_hold_no_memory(component, create_database):
    async with process(component, await environment(create_database, component)) as (port, pid):
        assert (await send_head(port, 16 * 1024)).startswith(b"HTTP/1.1 200")  # big cookies still fit
        before = rss_mib(pid)
        answer = await send_head(port, 8 * MIB)
        assert answer.startswith(b"HTTP/1.1 431"), answer[:80]
        answers = await asyncio.gather(*(send_head(port, 8 * MIB, pause_s=0.01) for _ in range(20)))
        assert all(a.startswith(b"HTTP/1.1 431") or a == b"" for a in answers)
        assert sum(a.startswith(b"HTTP/1.1 431") for a in answers) >= 15
        grown = rss_mib(pid) - before
        print(f"{component.name}: {grown:.1f} MiB more after twenty 8 MB heads")
        assert grown < 20, f"{grown:.0f} MiB held after twenty 8 MB heads"


@pytest.mark.parametrize("component", [GATEWAY, WEB], ids=lambda c: c.name)
async def test_slow_heads_are_cut_off_after_the_head_timeout(component, create_database):
    async with process(component, await environment(create_database, component)) as (port, _):

        async def dribble() -> tuple[bytes, float]:
            started = time.monotonic()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")

            async def one_byte_at_a_time() -> None:
                with contextlib.suppress(ConnectionError):
                    for _ in range(30):  # one header byte every 0.2 s: the head would take 6 s
                        writer.write(b"X")
                        await writer.drain()
                        await asyncio.sleep(0.2)

            sending = asyncio.create_task(one_byte_at_a_time())
            answer = await asyncio.wait_for(reader.read(), 10)  # until the server's FIN
            sending.cancel()
            writer.close()
            return answer, time.monotonic() - started

        async def silent() -> tuple[bytes, float]:
            started = time.monotonic()
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            answer = await asyncio.wait_for(reader.read(), 10)
            writer.close()
            return answer, time.monotonic() - started

        results = await asyncio.gather(*(dribble() for _ in range(20)), silent())
        for answer, took in results[:-1]:
            assert answer.startswith(b"HTTP/1.1 408") and took < 4, (answer[:40], took)
        silence, took = results[-1]
        assert silence == b"" and took < 4  # connected and said nothing: closed too (no request to answer)


def app_echoing_body_size():
    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        size, more = 0, True
        while more:
            message = await receive()
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
        body = str(size).encode()
        headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


@pytest.fixture(scope="module")
async def echo():
    os.environ["PLC_HTTP_HEAD_TIMEOUT_S"] = "1.5"  # read when serve_app builds the server's config
    try:
        async with serve_app(app_echoing_body_size()) as url:
            yield httpx.URL(url).port
    finally:
        del os.environ["PLC_HTTP_HEAD_TIMEOUT_S"]


async def test_a_large_body_after_a_small_head_is_not_counted_as_head(echo):
    async with httpx.AsyncClient() as client:
        response = await client.post(f"http://127.0.0.1:{echo}/", content=b"x" * (5 * MIB))
        assert response.status_code == 200 and response.text == str(5 * MIB)


async def test_keep_alive_requests_each_get_their_own_head_budget_and_a_slow_second_head_is_cut(echo):
    reader, writer = await asyncio.open_connection("127.0.0.1", echo)
    head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 20_000 + b"\r\n\r\n"
    for _ in range(3):  # 60 KB over three requests, each well under the bound
        writer.write(head)
        await writer.drain()
        assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 200")
        assert await reader.readexactly(1) == b"0"
    writer.write(b"GET / HTTP/1.1\r\nHo")  # then a head that never ends
    await writer.drain()
    started = time.monotonic()
    rest = await asyncio.wait_for(reader.read(), 15)
    assert rest.startswith(b"HTTP/1.1 408") and 1.4 < time.monotonic() - started < 5
    writer.close()


def test_the_bounds_are_settings():
    settings = serving.ServerSettings(max_head_bytes=1000, head_timeout_s=1.5)
    bounded = serving.protocol(settings)
    assert (bounded.max_head_bytes, bounded.head_timeout_s) == (1000, 1.5)
    assert serving.ServerSettings().max_head_bytes == 32 * 1024
