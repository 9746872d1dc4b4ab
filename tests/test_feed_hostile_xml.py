"""Hostile feed XML: external entities (also hidden from a byte search by UTF-16, UTF-7 or a
comment) and entity expansion are refused before feedparser sees them."""

from __future__ import annotations

import pytest

from bot.core.errors import InputError
from bot.sources.feeds import parse_feed
from tests.support.feed_polling import REFUSED, RSS_TYPE, make_rss, poll_route
from tests.support.http_server import Route

_XXE_ITEM = "<item><title>a &xxe; b</title><description>&xxe;</description></item>"
_XXE_DTD = '<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
_LOL_DTD = "<!DOCTYPE rss [\n<!ENTITY lol0 \"lol\">\n" + "".join(
    f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">\n' for n in range(1, 10)) + "]>\n"
_LOL_ITEM = "<item><title>x</title><description>&lol9;</description></item>"


def _utf7(doc: str) -> bytes:
    """`doc` (ASCII) in UTF-7 with '<' and '!' in their base64 form, as an attacker would send."""
    assert doc.isascii() and "+" not in doc
    return doc.replace("<", "+ADw-").replace("!", "+ACE-").encode("ascii")


def _with_comment(doc: str) -> str:
    # A '<a' in a comment before the DOCTYPE hides the declarations from feedparser's own filter.
    return doc.replace("?>\n", "?>\n<!-- <a -->\n", 1)


@pytest.mark.parametrize(("body", "content_type"), [
    (make_rss(_XXE_ITEM, prolog=_XXE_DTD).encode(), "application/rss+xml"),
    (make_rss(_XXE_ITEM, prolog=_XXE_DTD.replace("\n<!", "<!")).encode(), "application/rss+xml"),
    (_with_comment(make_rss(_XXE_ITEM, prolog=_XXE_DTD)).encode(), "application/rss+xml"),
    (make_rss("<item><title>x</title></item>",
              prolog='<!DOCTYPE rss [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n').encode(),
     "application/rss+xml"),
    (make_rss(_XXE_ITEM, prolog=_XXE_DTD).replace("utf-8", "utf-16").encode("utf-16"),
     "application/rss+xml"),
    (_utf7(make_rss(_XXE_ITEM, prolog=_XXE_DTD)), "application/rss+xml; charset=utf-7"),
])
def test_external_entities_are_refused(body: bytes, content_type: str) -> None:
    with pytest.raises(InputError, match=r"^feed declares XML entities \(refused\)$"):
        parse_feed("https://example.jp/f", body, {"Content-Type": content_type})


def test_external_entity_never_reaches_item_text() -> None:
    result = poll_route(Route(make_rss(_XXE_ITEM, prolog=_XXE_DTD).encode(), headers=RSS_TYPE))
    assert (result.error, result.items) == (REFUSED, ())
    assert "root:" not in repr(result)
    assert result.state.failures == 1 and result.state.last_error == REFUSED


def test_doctype_without_entities_is_accepted() -> None:
    netscape = ('<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"\n'
                ' "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n')
    body = make_rss("<item><title>旧形式</title></item>", prolog=netscape).replace("2.0", "0.91")
    assert [item.title for item in parse_feed("https://example.jp/f", body.encode(), {})] == [
        "旧形式"]


def test_utf7_hides_the_declaration_from_a_byte_search() -> None:
    body = _utf7(make_rss(_XXE_ITEM, prolog=_XXE_DTD))
    assert b"<!ENTITY" not in body and b"ENTITY" in body  # only a check after decoding sees it
    with pytest.raises(InputError, match=r"refused"):
        parse_feed("https://example.jp/f", body, {"content-type": "application/xml; charset=utf-7"})


_QUADRATIC = make_rss(_LOL_ITEM.replace("&lol9;", "&a;" * 2000),
                      prolog=f'<!DOCTYPE rss [\n<!ENTITY a "{"x" * 100_000}">\n]>\n')


@pytest.mark.parametrize("doc", [make_rss(_LOL_ITEM, prolog=_LOL_DTD),
                                 _with_comment(make_rss(_LOL_ITEM, prolog=_LOL_DTD)),
                                 _QUADRATIC])
def test_entity_expansion_is_refused(doc: str) -> None:
    # Unguarded, the last one takes ~10 s and gives 200 MB; how fast the refusal is, beside a
    # plain feed of the same size, is measured in bench/timings.py.
    with pytest.raises(InputError, match=r"refused"):
        parse_feed("https://example.jp/f", doc.encode(), {"content-type": "application/rss+xml"})
