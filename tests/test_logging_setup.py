"""ORDERLENS_LOG_FORMAT: text lines by default, or one JSON object per line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from gateway.cli import main
from gateway.settings import SettingsError, parse_log_format

SCRIPT = """
import logging, sys
from gateway.logging_setup import configure_logging
from gateway.request_id import current_request_id
configure_logging(sys.argv[1], stream=sys.stdout)
log = logging.getLogger("orderlens.test")
log.info("outside any request")
current_request_id.set("req-42")
try:
    1 / 0
except ZeroDivisionError:
    log.exception("it broke: %s", "badly")
logging.getLogger("alembic").info("migration chatter is hidden")
"""


def run(log_format: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, log_format], capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def test_json_logs_are_one_object_per_line_with_the_request_id_and_the_exception() -> None:
    first, second = (json.loads(line) for line in run("json"))
    assert set(first) == {"time", "level", "logger", "message", "request_id"}
    assert first["level"] == "INFO" and first["logger"] == "orderlens.test"
    assert first["message"] == "outside any request" and first["request_id"] == "-"
    assert first["time"].endswith("+00:00")
    assert second["level"] == "ERROR" and second["message"] == "it broke: badly"
    assert second["request_id"] == "req-42"
    assert second["exc_info"].startswith("Traceback (most recent call last):")
    assert second["exc_info"].rstrip().endswith("ZeroDivisionError: division by zero")


def test_text_logs_name_the_request_id() -> None:
    lines = run("text")
    assert lines[0].endswith("INFO orderlens.test [-]: outside any request")
    assert lines[1].endswith("ERROR orderlens.test [req-42]: it broke: badly")
    assert "Traceback (most recent call last):" in lines[2]
    assert not any("migration chatter" in line for line in lines)


def test_the_log_format_is_validated() -> None:
    assert parse_log_format({}) == "text"
    assert parse_log_format({"ORDERLENS_LOG_FORMAT": "JSON"}) == "json"
    with pytest.raises(SettingsError, match="ORDERLENS_LOG_FORMAT must be text or json, got 'xml'"):
        parse_log_format({"ORDERLENS_LOG_FORMAT": "xml"})


def test_a_bad_log_format_stops_the_command_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ORDERLENS_LOG_FORMAT", "yaml")
    assert main(["export-schema", "--output", "/dev/null"]) == 2
    assert capsys.readouterr().err == (
        "orderlens: ORDERLENS_LOG_FORMAT must be text or json, got 'yaml'\n"
    )
