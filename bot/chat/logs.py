"""Keep the bot token out of log records while the bot runs.

Every Bot API URL holds the token, and libraries log URLs: httpx logs each request at INFO
("HTTP Request: POST https://api.telegram.org/bot<token>/getUpdates"), python-telegram-bot
quotes the token in InvalidToken. Whatever logging the program sets up, those records pass
through this filter first, on the loggers that make them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from bot.core.redact import redact

# The libraries whose records may hold a request URL or the token (their child loggers too).
LOGGER_PREFIXES = ("httpx", "httpcore", "telegram")


class RedactToken(logging.Filter):
    """Rewrites a record's message and traceback text without the token; drops nothing."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message, self._token)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set: the traceback is rendered once, clean.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self._token)
        return True


@contextmanager
def token_hidden_in_logs(token: str) -> Iterator[None]:
    """While inside, records of the HTTP and Telegram loggers never show `token`."""
    import telegram.ext  # noqa: F401  (creates the library's loggers, so they can be found)

    guard = RedactToken(token)
    names = [name for name in list(logging.root.manager.loggerDict)
             if name.split(".")[0] in LOGGER_PREFIXES]
    loggers = [logging.getLogger(name) for name in {*names, *LOGGER_PREFIXES}]
    for logger in loggers:
        logger.addFilter(guard)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(guard)
