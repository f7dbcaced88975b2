"""What every benchmark here shares (docs/decisions/0030).

- ``rounds``: a bench's floor (pgbench, bare SQL, the raw library) and its own runs take
  turns, round after round, in the same process or run, so a change in the machine's load
  touches both; each figure is reported as min / median / max over the rounds, and the
  ratio to the floor is taken round by round (the same minute of load on both sides).
- ``Server``: ``onewindow serve`` (gunicorn) started by the bench on a free port, against
  the bench's scratch database, stopped at the end; ``Client`` is one keep-alive HTTP
  connection with a bearer token from ``/api/v1/auth/token``, as an API client has.
- ``load``: N client threads, each with its own connection, repeating one operation for a
  given time; every request's latency is kept, so p99 comes from the samples themselves
  (``percentiles`` says whether there were the 1,000 a p99 needs).
- ``emit``: the bench's JSON on stdout, and a copy in ``$ONEWINDOW_BENCH_OUT`` when set
  (``make bench`` collects them into one file, bench/run_all.py).
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
P99_MIN_SAMPLES = 1000
SAMPLES = "_samples"  # raw latencies in seconds, pooled over rounds, never printed


# --- numbers --------------------------------------------------------------------------------


def percentiles(seconds: list[float]) -> dict:
    """Latency in milliseconds: p50, p95, p99, mean and the sample count; ``p99_reliable``
    is false below P99_MIN_SAMPLES (one sample in a hundred is then a handful)."""
    if not seconds:
        return {"n": 0}
    ordered = sorted(seconds)

    def pick(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2)

    return {"p50": pick(0.50), "p95": pick(0.95), "p99": pick(0.99),
            "mean": round(statistics.fmean(ordered) * 1000, 2), "n": len(ordered),
            "p99_reliable": len(ordered) >= P99_MIN_SAMPLES}


def spread(values: list[float | None]) -> dict:
    """min / median / max of one figure over the rounds (None where a round had none)."""
    present = [v for v in values if v is not None]
    if not present:
        return {"min": None, "median": None, "max": None, "rounds": values}
    return {"min": round(min(present), 4), "median": round(statistics.median(present), 4),
            "max": round(max(present), 4), "rounds": [None if v is None else round(v, 4)
                                                      for v in values]}


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 4) if a and b else None


def rounds(count: int, steps: dict[str, Callable[[], dict]]) -> dict[str, list[dict]]:
    """Run every step once per round, in order, ``count`` rounds: the floor and the app
    alternate. Each step returns a dict of figures; the result lists them per round."""
    results: dict[str, list[dict]] = {name: [] for name in steps}
    for _ in range(count):
        for name, step in steps.items():
            results[name].append(step())
    return results


def compare(results: dict[str, list[dict]], *, figure: str, floor: str) -> dict:
    """For each run, ``figure`` over the rounds and its ratio to the floor's, round by
    round (min / median / max)."""
    base = [r.get(figure) for r in results[floor]]
    out = {}
    for name, per_round in results.items():
        values = [r.get(figure) for r in per_round]
        out[name] = {figure: spread(values)}
        if name != floor:
            out[name][f"ratio_to_{floor}"] = spread(
                [ratio(v, b) for v, b in zip(values, base, strict=True)])
    return out


def environment() -> dict:
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "machine": platform.machine(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def emit(report: dict) -> None:
    """Print the report; also write it to $ONEWINDOW_BENCH_OUT when that is set."""
    report.setdefault("environment", environment())
    report["environment"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(report, ensure_ascii=False, indent=2, default=str)
    out = os.environ.get("ONEWINDOW_BENCH_OUT")
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
    print(text)


# --- databases ------------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def pg_admin(server_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(with_database(server_url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def server_env(database_url: str, var_dir: Path) -> dict:
    """The environment of a bench's Django process or server: its scratch database, its
    own var directory, no debug (which would keep every query in memory), and the psycopg
    connection pool that production uses (without it every submission would open a new
    connection for its case number, ADR 0027)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "DATABASE_URL": database_url, "ONEWINDOW_VAR_DIR": str(var_dir),
            "ONEWINDOW_DEBUG": "0", "ONEWINDOW_LOG_LEVEL": "ERROR", "ONEWINDOW_DB_POOL": "1",
            "DJANGO_SETTINGS_MODULE": "onewindow.settings.dev",
            "PYTHONPATH": str(ROOT / "src")}


# --- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``onewindow serve`` on a free port with ``workers`` processes of ``threads``
    threads, against ``database_url``; a context manager that waits until it answers and
    stops it (the process this bench started, by its id) on exit."""

    def __init__(self, database_url: str, var_dir: Path, *, workers: int = 1,
                 threads: int = 4) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.threads = threads
        self.env = server_env(database_url, var_dir)
        self.log = var_dir / f"serve-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        command = [str(Path(sys.executable).parent / "onewindow"), "serve",
                   "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
                   "--threads", str(self.threads)]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(command, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"onewindow serve exited:\n{self.log.read_text()[-2000:]}")
            with suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/api/v1/catalog/items?limit=1")
                if conn.getresponse().status < 500:
                    conn.close()
                    return self
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("onewindow serve did not answer within 60 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class HttpError(Exception):
    pass


class Client:
    """One keep-alive connection, authenticated with a bearer token."""

    def __init__(self, base: str, token: str = "") -> None:
        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def call(self, method: str, path: str, *, json_body=None, body: bytes | None = None,
             headers: dict | None = None, expect: tuple[int, ...] = (200, 201)):
        sent = {**self.headers, **(headers or {})}
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode()
            sent["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=body, headers=sent)
        except (BrokenPipeError, ConnectionResetError):
            # The server closed this keep-alive connection while it idled (gunicorn's
            # keep-alive timeout): nothing was received, so send again on a new one.
            self.conn.close()
            self.conn.request(method, path, body=body, headers=sent)
        try:
            response = self.conn.getresponse()
            data = response.read()
        except Exception:
            self.conn.close()  # the next call starts on a fresh connection
            raise
        if response.status not in expect:
            raise HttpError(f"{method} {path} → {response.status}: {data[:200]!r}")
        return json.loads(data) if data and response.getheader(
            "Content-Type", "").startswith("application/json") else data

    def upload(self, path: str, field: str, filename: str, content: bytes,
               content_type: str = "application/octet-stream"):
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
                f"filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").encode()
        body += content + f"\r\n--{boundary}--\r\n".encode()
        return self.call("POST", path, body=body, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}"})

    def close(self) -> None:
        self.conn.close()


def login(base: str, username: str, password: str) -> str:
    client = Client(base)
    try:
        answer = client.call("POST", "/api/v1/auth/token",
                             json_body={"username": username, "password": password})
    finally:
        client.close()
    return answer["access_token"]


# --- load -----------------------------------------------------------------------------------


def load(clients: int, duration: float, make_client: Callable[[int], object],
         op: Callable[[object, int, int], None], *, warmup: int = 1) -> dict:
    """``clients`` threads, each with ``make_client(i)`` (closed with ``.close()`` if it
    has one), repeat ``op(client, i, n)`` for ``duration`` seconds after ``warmup`` untimed
    calls. Returns ops, ops_per_s, latency percentiles and the first errors."""
    barrier = threading.Barrier(clients + 1)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def run(index: int) -> None:
        client = make_client(index)
        mine: list[float] = []
        theirs: list[str] = []
        n = 0
        try:
            for _ in range(warmup):
                n += 1
                op(client, index, n)
        except Exception as exc:  # reported, and the client sits the run out
            theirs.append(f"warm-up {type(exc).__name__}: {exc}"[:300])
        try:
            barrier.wait()
            while not stop.is_set():
                n += 1
                started = time.perf_counter()
                try:
                    op(client, index, n)
                except Exception as exc:  # counted and reported
                    theirs.append(f"{type(exc).__name__}: {exc}"[:300])
                    if len(theirs) > 50:
                        break
                    continue
                mine.append(time.perf_counter() - started)
        finally:
            close = getattr(client, "close", None)
            if close:
                close()
            with lock:
                latencies.extend(mine)
                errors.extend(theirs)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    time.sleep(duration)
    stop.set()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"clients": clients, "ops": len(latencies),
            "ops_per_s": round(len(latencies) / wall, 2) if wall else None,
            "latency_ms": percentiles(latencies), "errors": len(errors),
            "first_errors": sorted(set(errors))[:3], SAMPLES: latencies}


def pool_latencies(results: dict[str, list[dict]]) -> dict:
    """Percentiles over every round's samples of each run (a p99 wants them all); the
    samples themselves are taken out of the rounds' figures."""
    pooled = {}
    for name, per_round in results.items():
        samples = [x for r in per_round for x in (r.pop(SAMPLES, None) or [])]
        if samples:
            pooled[name] = percentiles(samples)
    return pooled
