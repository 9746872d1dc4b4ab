"""The Telegram Bot API plumbing shared by delivery (bot/publish/telegram.py), the bot that
answers and the admin alerts (bot/chat): opening a bot or an Application against the
configured server (`api`), and flood control, how long Telegram asks us to wait and a call
that waits it out (`flood`). What to make of a failure is each caller's own business.

python-telegram-bot is imported inside the functions, not here: `kakehashi status` and the
other read-side commands never load it.
"""
