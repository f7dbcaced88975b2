"""``onewindow serve`` sizes itself from the cores it may use, says what it chose, and
hands its workers no database connection of its own (ADR 0029)."""

from django.core.management import call_command

from onewindow.web.management.commands import serve
from onewindow.web.management.commands.serve import (
    Sizing,
    available_cores,
    database_line,
    server_sizing,
)

POOLED = {"ENGINE": "django.db.backends.postgresql",
          "OPTIONS": {"pool": {"min_size": 1, "max_size": 4, "timeout": 10.0}}}


def test_one_worker_per_core_at_least_two_and_four_threads_each():
    assert server_sizing(cores=8) == Sizing(cores=8, workers=8, threads=4)
    assert server_sizing(cores=1) == Sizing(cores=1, workers=2, threads=4)
    assert server_sizing(cores=8, workers=3, threads=16) == Sizing(cores=8, workers=3,
                                                                   threads=16)


def test_a_container_quota_lowers_the_cores(tmp_path, monkeypatch):
    monkeypatch.setattr(serve.os, "sched_getaffinity", lambda pid: set(range(16)))
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("250000 100000\n")  # two and a half cores' worth
    assert available_cores(cpu_max=cpu_max) == 3
    cpu_max.write_text("max 100000\n")
    assert available_cores(cpu_max=cpu_max) == 16
    assert available_cores(cpu_max=tmp_path / "missing") == 16


def test_the_connections_a_server_may_open_are_counted():
    sizing = Sizing(cores=4, workers=4, threads=4)
    assert database_line(sizing, POOLED, servers=12) == (
        "PostgreSQL: a pool of 1–4 connections per worker (+2 for case-number serials); at "
        "most 24 connections from this server, 288 from 12 servers (ONEWINDOW_SERVERS).")
    assert database_line(Sizing(cores=4, workers=4, threads=8), POOLED, servers=1).endswith(
        "8 threads share 4 connections: a request waits up to 10 s for one.")
    unpooled = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {}}
    assert "at most 16 connections from this server." in database_line(sizing, unpooled,
                                                                       servers=1)
    assert database_line(sizing, {"ENGINE": "django.db.backends.sqlite3"}, servers=1) == ""


def test_serve_prints_what_it_chose_and_closes_connections_before_forking(monkeypatch,
                                                                           capsys):
    monkeypatch.setenv("ONEWINDOW_WEB_THREADS", "6")
    monkeypatch.setattr(serve, "available_cores", lambda: 3)
    steps = []
    monkeypatch.setattr(serve, "close_connections_and_pools", lambda: steps.append("close"))
    monkeypatch.setattr(serve._Server, "run", lambda server: steps.append(server.options))
    call_command("serve", "--bind", "127.0.0.1:8123", "--workers", "5")
    out = capsys.readouterr().out
    assert "Serving on http://127.0.0.1:8123/ with 5 workers × 6 threads (3 cores;" in out
    # The workers gunicorn forks next must not share this process's connections.
    assert steps[0] == "close"
    assert (steps[1]["workers"], steps[1]["threads"]) == (5, 6)
