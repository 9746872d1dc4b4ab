"""Where the state lives: a file (SQLite) or a `postgresql://` URL (PostgreSQL).

The state setting (`paths.state`, `--state`) takes either. A URL is kept in
`PathsConfig.database`; `PathsConfig.state` is then a local anchor under OUT/ that names the
files a state file would have had beside it (the heartbeat, the send lock), so they keep
working and are never served.

A password in the URL is refused (a config file is read by many and shown in logs): libpq
reads it from PGPASSWORD, ~/.pgpass or a service file instead. Error messages show a URL with
its password replaced by ***.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.core.errors import ConfigError

SCHEMES = ("postgresql://", "postgres://")
ANCHOR = "state.postgresql"

_PASSWORD = re.compile(r"(://[^:/@?#]*):[^@/?#]*@")
_PASSWORD_PARAM = re.compile(r"([?&]password=)[^&#]*", re.IGNORECASE)


def is_url(value: str) -> bool:
    return value.lower().startswith(SCHEMES)


def redact_url(url: str) -> str:
    """`url` with any password in it shown as ***."""
    return _PASSWORD_PARAM.sub(r"\1***", _PASSWORD.sub(r"\1:***@", url))


def checked_url(url: str) -> str:
    """`url` if it holds no password; ConfigError naming where the password goes otherwise."""
    if redact_url(url) != url:
        raise ConfigError(
            f"paths.state: {redact_url(url)} holds a password; leave it out and set "
            "PGPASSWORD or a ~/.pgpass line instead (a config file and logs must not hold it)")
    return url


def anchor(out: Path) -> Path:
    """The local name whose companions (heartbeat, send lock) a PostgreSQL state uses."""
    return out / ANCHOR
