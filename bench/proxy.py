"""Requests/s and added latency of an authenticated GET: straight to a service, through the gateway, and
through nginx as a plain reverse proxy in front of the same service, at 1 and 32 connections, in one run.

    uv run python bench/proxy.py [--seconds 6] [--rounds 5] [--warmup 0.3]

The service is a real service assembly (create_service_app, shared token verification) with a typical
authenticated list route; the gateway runs as deployed (uvicorn, its own migrated database, the real route
table, authentication, authorisation, rate limiting — set high enough not to trip — and audit). nginx is the
Debian package with one worker and upstream keep-alive: the one on PATH (or /usr/sbin/nginx), else Debian's
package unpacked into .tools/nginx (`apt-get download` + `dpkg -x`: no service is installed or started; as root
`apt-get update` first when the package lists are missing). When none can be had, the output says
`skipped: nginx comparison: <why>` and nginx_ratio/vs_nginx are left out. Every process is single-worker, so the
comparison is per core. The load generator is aiohttp in this process and shares the machine's cores with the servers.
Uses PLC_BENCH_POSTGRES_URL, else PostgreSQL on 127.0.0.1:5432.
Last line: ratio=<gateway rps / direct rps at 32> added_p50_ms=<gateway p50 - direct p50 at 1>
nginx_ratio=<nginx rps / direct rps at 32> vs_nginx=<gateway rps / nginx rps at 32>.
"""

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
from plc_shared import infra
from plc_shared.auth import Role, mint_dev_token
from plc_shared.components import GATEWAY, SERVICES
from plc_shared.migrate import upgrade_async
from plc_shared.settings import AuthSettings

LOCAL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
UNPACKED = Path(__file__).resolve().parents[1] / ".tools" / "nginx"  # Debian's package, unpacked
PATH = "/assessments/districts/d1/assessments"
NGINX_CONF = """
worker_processes 1;
{user}
error_log {tmp}/error.log warn;
pid {tmp}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fcgi;
  uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  upstream service {{ server 127.0.0.1:{service_port}; keepalive 64; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://service;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}
}}
"""


def serve_upstream(port: int) -> None:
    """The service side, in its own process."""
    import uvicorn
    from assessments.config import Settings
    from fastapi import APIRouter
    from plc_shared import serving
    from plc_shared.app import ServiceParts, create_service_app
    from plc_shared.auth import CurrentPrincipal

    router = APIRouter()

    @router.get("/assessments/districts/{district_id}/assessments")
    async def assessments(district_id: str, principal: CurrentPrincipal) -> list[dict]:
        """A typical authenticated list."""
        return [{"id": f"a{i}", "district_id": district_id, "title": f"Unit {i} check"} for i in range(5)]

    app = create_service_app(Settings(log_level="WARNING"), ServiceParts(root_routers=[router]))
    uvicorn.Server(serving.config(app, host="127.0.0.1", port=port, log_level="warning")).run()  # as deployed


async def load(url: str, token: str, connections: int, seconds: float, warmup: float) -> list[float]:
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    errors: dict[int, int] = {}
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        loop = asyncio.get_running_loop()
        start = loop.time()
        measure_from, stop = start + warmup, start + warmup + seconds

        async def worker() -> None:
            while (now := loop.time()) < stop:
                t0 = time.perf_counter()
                async with session.get(url, headers=headers) as response:
                    await response.read()
                    status = response.status
                if now >= measure_from:
                    latencies.append(time.perf_counter() - t0)
                    if status != 200:
                        errors[status] = errors.get(status, 0) + 1

        await asyncio.gather(*(worker() for _ in range(connections)))
    if errors:
        raise RuntimeError(f"requests to {url} failed: {errors} (status: count)")
    return latencies


def figures(latencies: list[float], seconds: float) -> dict[str, float]:
    latencies = sorted(latencies)
    return {
        "rps": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def find_nginx() -> tuple[str | None, str]:
    """(nginx binary, "") or (None, why not): installed, unpacked before, or Debian's package unpacked now."""
    installed = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if installed:
        return installed, ""
    binary = UNPACKED / "usr" / "sbin" / "nginx"
    if not binary.exists():
        if shutil.which("apt-get") is None or shutil.which("dpkg") is None:
            return (
                None,
                "nginx is not installed and this is no Debian system (apt-get/dpkg missing): install nginx",
            )
        try:
            unpack_nginx()
        except (OSError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", "") or str(exc)
            return (
                None,
                f"nginx is not installed and Debian's package could not be fetched: {detail.strip()[-300:]}",
            )
    check = subprocess.run([str(binary), "-v"], capture_output=True, text=True, check=False)
    if check.returncode:
        return None, f"the unpacked nginx does not run: {check.stderr.strip()[-300:]}"
    return str(binary), ""


def unpack_nginx() -> None:
    """`apt-get download nginx` and `dpkg -x` it into .tools/nginx (nothing installed, no service started)."""
    with tempfile.TemporaryDirectory(prefix="plc-nginx-deb-") as tmp:
        download = ["apt-get", "download", "-q", "nginx"]
        got = subprocess.run(download, cwd=tmp, capture_output=True, text=True, check=False)
        if got.returncode and os.geteuid() == 0:  # a fresh machine: no package lists yet
            subprocess.run(["apt-get", "update", "-q"], capture_output=True, text=True, check=True)
            got = subprocess.run(download, cwd=tmp, capture_output=True, text=True, check=False)
        got.check_returncode()
        debs = sorted(Path(tmp).glob("nginx_*.deb"))
        if not debs:
            raise OSError(f"apt-get download left no nginx package: {got.stdout[-300:]}")
        UNPACKED.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["dpkg", "-x", str(debs[-1]), str(UNPACKED)], capture_output=True, text=True, check=True
        )
    print(f"nginx: Debian's package unpacked into {UNPACKED}", flush=True)


def start_nginx(tmp: Path, service_port: int) -> tuple[subprocess.Popen | None, int | None, str]:
    binary, why_not = find_nginx()
    if binary is None:
        return None, None, why_not
    port = infra.free_port()
    user = "user root root;" if os.geteuid() == 0 else ""
    conf = tmp / "nginx.conf"
    conf.write_text(NGINX_CONF.format(user=user, tmp=tmp, service_port=service_port, port=port))
    # -e: the error log before the configuration is read (the default one may not exist: unpacked package)
    process = spawn(
        [binary, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf), "-g", "daemon off;"]
    )
    return process, port, ""


def spawn(command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(command, env=env)


async def wait_for(port: int, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not infra.port_open(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"nothing listens on {port}")
        await asyncio.sleep(0.1)


async def run(args: argparse.Namespace) -> None:
    admin = os.environ.get("PLC_BENCH_POSTGRES_URL", LOCAL)
    database = f"plc_bench_gateway_{uuid.uuid4().hex[:8]}"
    await infra.create_database(admin, database, drop_existing=True)
    try:
        await run_against(args, admin, infra.url_with_database(admin, database))
    finally:
        await infra.drop_database(admin, database)


async def run_against(args: argparse.Namespace, admin: str, url: str) -> None:
    await upgrade_async(GATEWAY, url)
    service_port, gateway_port = infra.free_port(), infra.free_port()
    env = {
        **os.environ,
        "GATEWAY_DATABASE_URL": url,
        "GATEWAY_UPSTREAMS": json.dumps({c.name: f"http://127.0.0.1:{service_port}" for c in SERVICES}),
        "GATEWAY_RATE_PER_PRINCIPAL": "1000000",
        "GATEWAY_BURST_PER_PRINCIPAL": "1000000",
        "GATEWAY_RATE_PER_TENANT": "1000000",
        "GATEWAY_BURST_PER_TENANT": "1000000",
        "GATEWAY_LOG_LEVEL": "WARNING",
    }
    processes = [
        spawn([sys.executable, __file__, "--serve-upstream", str(service_port)]),
        spawn([*GATEWAY.serve_command("127.0.0.1", gateway_port), "--log-level", "warning"], env),
    ]
    with tempfile.TemporaryDirectory(prefix="plc-bench-nginx-") as tmp:
        nginx, nginx_port, why_not = start_nginx(Path(tmp), service_port)
        if nginx is not None:
            processes.append(nginx)
        try:
            for port in (service_port, gateway_port, *([nginx_port] if nginx_port else [])):
                await wait_for(port)
            await measure_all(args, service_port, gateway_port, nginx_port, why_not)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=20)


async def measure_all(
    args: argparse.Namespace, service_port: int, gateway_port: int, nginx_port: int | None, why_not: str
) -> None:
    token = mint_dev_token(AuthSettings(), role=Role.TEACHER, district_id="d1", school_ids=["s1"])
    targets = {"direct": service_port, "gateway": gateway_port}
    if nginx_port:
        targets["nginx"] = nginx_port
    # Targets take turns in short slices, several rounds, so a burst of load from elsewhere on the machine
    # hits all of them alike; rps = all requests / all measured time, percentiles over all requests.
    slice_s = args.seconds / args.rounds
    samples: dict[tuple[str, int], list[float]] = {(n, c): [] for n in targets for c in (1, 32)}
    print(f"GET {PATH} (authenticated), {args.seconds:g} s per point in {args.rounds} interleaved rounds")
    for _round in range(args.rounds):
        for connections in (1, 32):
            for name, port in targets.items():
                url = f"http://127.0.0.1:{port}{PATH}"
                samples[name, connections] += await load(url, token, connections, slice_s, args.warmup)
    results = {key: figures(latencies, args.seconds) for key, latencies in samples.items()}
    for (name, connections), point in sorted(results.items(), key=lambda item: (item[0][1], item[0][0])):
        print(
            f"{name:8s} c={connections:<3d} rps={point['rps']:8.0f} "
            f"p50_ms={point['p50_ms']:7.3f} p99_ms={point['p99_ms']:7.3f}"
        )
    for connections in (1, 32):
        direct, gateway = results["direct", connections], results["gateway", connections]
        print(
            f"c={connections}: gateway/direct rps={gateway['rps'] / direct['rps']:.2f} "
            f"added p50={gateway['p50_ms'] - direct['p50_ms']:.3f} ms p99={gateway['p99_ms'] - direct['p99_ms']:.3f} ms"
        )
    if why_not:
        print(f"skipped: nginx comparison: {why_not}")
    ratio = results["gateway", 32]["rps"] / results["direct", 32]["rps"]
    added = results["gateway", 1]["p50_ms"] - results["direct", 1]["p50_ms"]
    line = f"ratio={ratio:.2f} added_p50_ms={added:.3f}"
    if nginx_port:
        nginx_rps = results["nginx", 32]["rps"]
        line += f" nginx_ratio={nginx_rps / results['direct', 32]['rps']:.2f}"
        line += f" vs_nginx={results['gateway', 32]['rps'] / nginx_rps:.2f}"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--warmup", type=float, default=0.3, help="per slice")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--serve-upstream", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_upstream:
        serve_upstream(args.serve_upstream)
        return
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
