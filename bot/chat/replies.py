"""The bot's answers as Telegram HTML: pure functions of the config and what was read."""

from __future__ import annotations

from html import escape as _escape

from bot.config import Config, editions_of
from bot.core.editions import Edition
from bot.publish.render import digest_path, public_site
from bot.publish.web import INDEX_NAME

# Telegram's limit is 4096 characters after entity parsing; our own text stays well under it.
MESSAGE_LIMIT = 3800
# /latest sends at most this many of a digest's messages (a private chat is not the channel:
# the rest is one link away), and /status at most this many messages of lines.
MAX_LATEST = 5
MAX_STATUS = 4

UNKNOWN = "I don't know that command. /help lists what I can answer."
NO_DIGEST = "No digest has been published yet."
RELEASE_USAGE = "Give the GUIDs of held entries (/status lists them), or: /release all"


def escape(text: str) -> str:
    """Text for Telegram HTML: only < > & need escaping outside attributes."""
    return _escape(text, quote=False)


def edition_for(config: Config, chat_id: int | str, args: list[str]) -> Edition:
    """The edition a command speaks of: the one whose chat it came from, else the one its
    first word names (`/start rail`, which a t.me/BOT?start=rail link sends), else the
    default edition."""
    editions = editions_of(config)
    for edition in editions:
        if edition.chat_id and edition.chat_id.strip() == str(chat_id):
            return edition
    wanted = args[0].lower() if args else ""
    return next((e for e in editions if e.name == wanted), editions[0])


def help_message(config: Config, admin: bool, edition: Edition | None = None) -> str:
    """/start and /help: what the edition is, how to subscribe, the commands."""
    edition = edition or editions_of(config)[0]
    site = public_site(config.feed.site_url)
    folder = f"{edition.folder}/" if edition.folder else ""
    lines = [f"<b>{escape(edition.title)}</b>", escape(config.feed.description), "",
             "Subscribe:"]
    channel = channel_link(edition.chat_id)
    if channel:
        lines.append(f"• Telegram channel: {escape(channel)}")
    if site:
        lines.append(f"• RSS feed: {escape(site + edition.feed_file)}")
        lines.append(f"• Web archive: {escape(site + folder + INDEX_NAME)}")
    if not channel and not site:
        lines.append("• no public address is configured yet")
    others = [e.name for e in editions_of(config) if e != edition]
    if config.editions:
        lines += ["", "Other editions: " + ", ".join(f"/start {name}" for name in others)]
    lines += ["", "/latest: the last digest", "/help: this message"]
    if admin:
        lines += ["", "This chat is an admin chat:",
                  "/status: what the state file holds",
                  "/digest: publish pending articles now",
                  "/release GUID… or /release all: let held entries into the next digest"]
    return "\n".join(lines)


def channel_link(chat_id: str) -> str:
    """The public link of a channel named @name; "" for a numeric (private) chat id."""
    name = chat_id.strip()
    if name.startswith("@") and len(name) > 1:
        return f"https://t.me/{name[1:]}"
    return ""


def latest_messages(bodies: list[str], digest_id: int, config: Config,
                    edition: Edition | None = None) -> list[str]:
    """The last digest's messages as published, at most MAX_LATEST, then where the rest is."""
    if not bodies:
        return [NO_DIGEST]
    shown = bodies[:MAX_LATEST]
    if len(bodies) > len(shown):
        more = len(bodies) - len(shown)
        site = public_site(config.feed.site_url)
        if site and edition is not None and edition.folder:
            site += f"{edition.folder}/"
        where = f": {escape(site + digest_path(digest_id))}" if site else ""
        shown.append(f"… and {more} more message(s) in digest #{digest_id}{where}")
    return shown


def preformatted(lines: list[str], limit: int = MESSAGE_LIMIT,
                 max_messages: int = MAX_STATUS) -> list[str]:
    """Lines as <pre> messages of at most `limit` characters each, at most `max_messages`
    (the last then says how many lines were left out)."""
    chunks: list[list[str]] = [[]]
    size = 0
    for line in lines or [""]:
        line = _cut(line, limit)
        if chunks[-1] and size + _units(line) + 1 > limit:
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += _units(line) + 1
    if len(chunks) > max_messages:
        left = sum(len(chunk) for chunk in chunks[max_messages - 1:])
        chunks = chunks[: max_messages - 1]
        chunks.append([f"… {left} more line(s): run 'kakehashi status' on the server"])
    return ["<pre>" + escape("\n".join(chunk)) + "</pre>" for chunk in chunks]


def _cut(line: str, limit: int) -> str:
    while _units(line) > limit:
        line = line[: max(1, len(line) - (_units(line) - limit) - 1)] + "…"
    return line


def _units(text: str) -> int:
    # Telegram counts UTF-16 code units: a character outside the BMP (an emoji) counts twice.
    return len(text.encode("utf-16-le")) // 2
