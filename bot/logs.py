"""Log format of ``python -m bot serve``: uvicorn's text lines, or one JSON object per line
(``NSO_LOG_FORMAT=json``) for a log shipper.

Either way every record passes ``conversation.redact.RedactingFilter`` first (installed by
``create_app``), so the JSON ``message``, the access line's fields and ``exc_info`` are
already redacted when they are formatted here.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG

from settings import Settings

ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, and exc_info if any.

    uvicorn's access records also get their parts as fields (client, method, path, status).
    """

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            line.update(zip(ACCESS_FIELDS, record.args, strict=False))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exc_info"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


def log_config(settings: Settings) -> dict[str, Any]:
    """uvicorn's ``log_config`` for ``NSO_LOG_FORMAT``: its own, or the same loggers in JSON.

    Args:
        settings: The settings (``log_format``).

    Returns:
        A ``logging.config.dictConfig`` dictionary; in JSON mode the root logger (the app's own
        loggers) writes JSON to stderr as well.
    """
    config = copy.deepcopy(LOGGING_CONFIG)
    if settings.log_format == "json":
        config["formatters"] = {"json": {"()": "bot.logs.JsonFormatter"}}
        for handler in config["handlers"].values():
            handler["formatter"] = "json"
        config["root"] = {"handlers": ["default"], "level": "INFO"}
    return config
