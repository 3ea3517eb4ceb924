"""`python -m textconnect`: help, environment, and the commands over a real HTTP peer."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from textconnect.__main__ import main

from .conftest import TOKEN
from .scripted_server import Step

ROOT = Path(__file__).resolve().parents[2]


def test_help_lists_the_commands_and_environment():
    done = subprocess.run(
        [sys.executable, "-m", "textconnect", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    for word in ("credits", "send", "status", "report", "TEXTCONNECT_TOKEN", "TEXTCONNECT_API_URL"):
        assert word in done.stdout


@pytest.fixture
def env(server, monkeypatch):
    monkeypatch.setenv("TEXTCONNECT_TOKEN", TOKEN)
    monkeypatch.setenv("TEXTCONNECT_API_URL", server.url)
    return server


def test_missing_token_is_a_usage_error(monkeypatch, capsys):
    monkeypatch.delenv("TEXTCONNECT_TOKEN", raising=False)
    assert main(["credits"]) == 2
    assert "TEXTCONNECT_TOKEN" in capsys.readouterr().err


def test_credits_prints_the_balance(env, capsys):
    env.answer("1234.5")
    assert main(["credits"]) == 0
    assert capsys.readouterr().out == "1234.5\n"


def test_send_prints_one_line_per_destination(env, capsys):
    env.answer("101,-412\nNumber is blacklisted")
    assert main(["send", "447700900001", "447700900009", "--from", "Acme", "--body", "Hi"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "447700900001,101",
        "447700900009,-412,Number is blacklisted",
    ]


def test_send_reads_body_from_stdin(env, capsys):
    env.answer("5")
    assert main(["send", "447700900001", "--from", "Acme"], stdin=io.StringIO("From stdin\n")) == 0
    assert env.received[0].params["Body"] == "From stdin"


def test_send_refuses_bad_arguments_without_calling(env, capsys):
    assert main(["send", "447700900001", "--from", "Acme", "--body", "a" * 460]) == 2
    assert env.received == []
    assert "body" in capsys.readouterr().err


def test_status_prints_id_and_word(env, capsys):
    env.answer("Delivered")
    assert main(["status", "77"]) == 0
    assert capsys.readouterr().out == "77,Delivered\n"


def test_report_writes_csv(env, capsys):
    env.answer('"Status","Messages"\n"Delivered","4"\n')
    assert main(["report", "Usage", "--start", "2026-01-01T00:00+00:00"]) == 0
    assert capsys.readouterr().out.splitlines() == ["status,messages", "Delivered,4"]


def test_gateway_error_exits_one(env, capsys):
    env.answer("-501\nUnknown Username/Password")
    assert main(["credits"]) == 1
    assert "-501" in capsys.readouterr().err


def test_transport_failure_exits_three_without_token(env, capsys):
    env.default = Step("Not Found", status=404)
    assert main(["status", "1"]) == 3
    err = capsys.readouterr().err
    assert "transport error" in err
    assert TOKEN not in err


def test_empty_report_still_writes_the_header(env, capsys):
    env.answer('"MessageID","Username","Destination","Status"\n')
    assert main(["report", "Outbox"]) == 0
    assert capsys.readouterr().out.startswith("message_id,username,destination,status,")
