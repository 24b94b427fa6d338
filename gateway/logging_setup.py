"""How the `orderlens` command logs: text for people (the default) or one JSON object per line
for a log pipeline (ORDERLENS_LOG_FORMAT=json). Every line carries the request id."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import TextIO

from gateway.request_id import NO_REQUEST, install_log_record_factory

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request_id, and the exception (as one string) if any."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST),
        }
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(
    log_format: str, level: int = logging.INFO, stream: TextIO | None = None
) -> None:
    """One handler on the root logger (replacing the one an earlier call added). Like
    `logging.basicConfig`, it leaves alone a logging set up by someone else (a test runner,
    a program embedding the gateway)."""
    install_log_record_factory()
    root = logging.getLogger()
    for old in root.handlers[:]:
        if getattr(old, "orderlens", False):
            root.removeHandler(old)
    if not root.handlers:
        handler = logging.StreamHandler(stream)
        handler.orderlens = True  # type: ignore[attr-defined]
        json_lines = log_format == "json"
        handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
        root.addHandler(handler)
        root.setLevel(level)
    # Migration chatter buries what a command has to say; warnings still show.
    logging.getLogger("alembic").setLevel(logging.WARNING)
