"""Talking with people on Telegram: the bot's commands and the admin alerts."""
