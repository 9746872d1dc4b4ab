"""The delivery channels a digest is queued to: the outbox's `channel` column.

Defined here, below every part that writes or reads the outbox, so that the read side
(`status`, the chat bot, `/metrics`) need not import the worker that queues them."""

from __future__ import annotations

TELEGRAM = "telegram"
"""The Telegram channel of the config (`[telegram] chat_id`)."""
