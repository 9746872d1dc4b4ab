"""Choose an article's key sentences. First version: the lead, forced in, then the next prose."""

from __future__ import annotations

from bot.text.sentences import is_prose


def lead_summary(sentences: tuple[str, ...], limit: int) -> tuple[int, ...]:
    """Indices of up to `limit` key sentences, the lead always (in news it carries the news).

    The lead is the first full sentence; headings and list items are not chosen.
    """
    prose = [i for i, sentence in enumerate(sentences) if is_prose(sentence)]
    if not prose:
        return (0,) if sentences else ()
    return tuple(prose[:limit])
