"""The exception tree. Every error a user can cause or meet is one of these.

    KakehashiError                 base; carries a one-line message and an exit code
    ├── ConfigError                bad or missing configuration (exit 2)
    ├── UsageError                 a command's arguments do not fit together (exit 2)
    ├── ModelError                 translation model missing, unusable, not installable
    │   └── ModelMissingError      no ja→en package installed
    ├── InputError                 a document cannot be read (recorded; the batch goes on)
    ├── StoreError                 the state database cannot be opened or migrated
    ├── NotFoundError              a named entry or message is not in the state file
    ├── PublishError               a digest could not be delivered (Telegram, feed file)
    └── ServeError                 `serve` cannot listen (port in use, no such address)

Third-party exceptions are caught where they arise and re-raised as one of these
(`raise ModelError(...) from exc`), so `bot.cli.main` maps errors to messages in one place.
"""

from __future__ import annotations


class KakehashiError(Exception):
    """Base class: a one-line, user-facing message."""

    exit_code = 1


class ConfigError(KakehashiError):
    """The configuration file or a flag is invalid."""

    exit_code = 2


class UsageError(KakehashiError):
    """A command was given arguments it cannot use (missing, extra, or clashing)."""

    exit_code = 2


class ModelError(KakehashiError):
    """A translation package cannot be found, loaded or installed."""


class ModelMissingError(ModelError):
    """No Argos package for the requested language pair is installed."""


class InputError(KakehashiError):
    """A document cannot be read; the reason is recorded and the batch goes on."""


class StoreError(KakehashiError):
    """The state database cannot be opened or is not ours."""


class NotFoundError(KakehashiError):
    """A command named something (an entry's guid, a message) the state file does not hold."""


class PublishError(KakehashiError):
    """Delivering a digest failed."""


class ServeError(KakehashiError):
    """The HTTP server for OUT/ cannot start."""
