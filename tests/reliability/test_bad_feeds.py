"""Hostile feeds served from 127.0.0.1, all polled in one run beside a good file and a good feed.

For each: the run exits 0 without a traceback, the good file and the good feed are published,
the hostile feed is listed by `status` with its URL and a reason (or read correctly where it is
valid), nothing it points at (/etc/passwd) reaches an output or the state, and feed.xml and the
Telegram messages stay valid.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.reliability import hostile_server as hs
from tests.reliability.helpers import (
    GoodDoc,
    Paths,
    all_files,
    completed,
    feed_corpus,
    good_doc,
    html_problems,
    normalized,
    preview_messages,
    write_config,
    write_good,
)

PASSWD = Path("/etc/passwd")
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>t</title><link>http://127.0.0.1/</link><description>d
</description><item><title>&#x7b2c;&#x4e00;&#x5831; &lol9;</title><guid>laughs-1</guid>
<description>&lol9;</description></item></channel></rss>"""


def _xxe(doc: GoodDoc) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{PASSWD}">]>\n'
            '<rss version="2.0"><channel><title>t</title><link>http://127.0.0.1/</link>'
            f"<description>d</description><item><title>{doc.title}</title><guid>xxe-1</guid>"
            f"<description>{doc.text.splitlines()[1]}&xxe;</description></item>"
            "</channel></rss>").encode()


def _markup(doc: GoodDoc) -> bytes:
    first = doc.text.splitlines()[1]
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>t</title>'
            "<link>http://127.0.0.1/</link><description>d</description><item>"
            f"<title>{doc.title}&lt;b&gt;速&lt;/b&gt;&amp;amp;&lt;/a&gt;&lt;script&gt;x&lt;"
            "/script&gt;</title><guid>markup-1</guid><link>http://127.0.0.1/m?a=1&amp;b=2</link>"
            f'<description><![CDATA[<p>{first}<a href="javascript:alert(1)">リンク</a>'
            "<script>alert('injected')</script><tg-spoiler>伏せ字</tg-spoiler>"
            "<b>太字<i>入れ子</b></i></p>]]></description></item></channel></rss>").encode()


def _control_reference(doc: GoodDoc) -> bytes:
    return hs.rss([doc], prefix="ctl").replace(doc.title[:4].encode(),
                                               doc.title[:2].encode() + b"&#x1b;&#x7;"
                                               + doc.title[2:4].encode(), 1)


@dataclass(frozen=True)
class FeedCase:
    path: str
    answer: hs.Answer
    kind: str  # "read", "listed" or "either"
    probes: tuple[str, ...] = ()  # text that shows in the feed when it was read
    forbidden: tuple[str, ...] = ()


def _cases() -> dict[str, FeedCase]:
    good = [good_doc(n) for n in (501, 502)]
    sjis, xxe, markup, ctl, cut = (good_doc(n) for n in (503, 504, 505, 506, 507))
    secret = PASSWD.read_text(encoding="utf-8").splitlines()[0][:40] if PASSWD.exists() else ""
    truncated = hs.rss([cut, good_doc(508)], prefix="cut")
    return {
        "good_feed": FeedCase("/good.xml", hs.fixed(hs.rss(good)), "read",
                              tuple(d.title for d in good)),
        "billion_laughs": FeedCase("/laughs.xml", hs.fixed(LAUGHS), "listed",
                                   forbidden=("lollollollollollollollol",)),
        "external_entity": FeedCase("/xxe.xml", hs.fixed(_xxe(xxe)), "either", (xxe.title,),
                                    forbidden=(secret,) if secret else ()),
        "body_50mb": FeedCase("/huge.xml", hs.streamed(b"<item><title>x</title></item>" * 2000,
                                                       50 * 1024 * 1024), "listed"),
        "never_ending": FeedCase("/endless.xml", hs.streamed(b"<!-- -->", None, 0.05), "listed"),
        "redirect_loop": FeedCase("/loop1", hs.redirect("/loop2"), "listed"),
        "redirect_to_file": FeedCase("/tofile", hs.redirect(f"file://{PASSWD}"), "listed",
                                     forbidden=(secret,) if secret else ()),
        "html_page": FeedCase("/page.html", hs.fixed(
            "<!DOCTYPE html><html><body><p>ログイン</p></body></html>".encode(),
            "text/html; charset=utf-8"), "listed"),
        "shift_jis_symbols": FeedCase("/sjis.xml", hs.fixed(
            hs.rss([GoodDoc(sjis.number, f"㈱髙{sjis.title}①", sjis.text)], "Shift_JIS",
                   prefix="sjis", codec="cp932"),
            "application/rss+xml"), "read", (f"髙{sjis.title}",)),
        "malformed_xml": FeedCase("/cut.xml", hs.fixed(truncated[: len(truncated) * 2 // 3]),
                                  "listed"),
        "http_500": FeedCase("/error.xml", hs.fixed(b"oops", "text/plain", 500), "listed"),
        "markup_in_feed": FeedCase("/markup.xml", hs.fixed(_markup(markup)), "read",
                                   (markup.title,), forbidden=("injected",)),
        "control_char_reference": FeedCase("/control.xml", hs.fixed(_control_reference(ctl)),
                                           "either", (ctl.title,)),
    }


CASES = _cases()
# Alone: on the code this suite was written against, one control character made feed.xml
# unparsable for every entry (defect 1), which would hide what the other feeds show.
OWN_RUN = {"control_char_reference"}
# Loop back to the first step of the redirect loop.
LOOP_BACK = ("/loop2", hs.redirect("/loop1"))


@dataclass
class FeedRun:
    paths: Paths
    urls: dict[str, str]
    companion: GoodDoc
    run: subprocess.CompletedProcess[str]
    status: subprocess.CompletedProcess[str]
    messages: list[str] = field(default_factory=list)


def _run_feeds(root: Path, names: list[str]) -> FeedRun:
    paths = Paths.under(root)
    companion = write_good(paths.seeds, 500)
    names = ["good_feed", *names]
    routes = {CASES[name].path: CASES[name].answer for name in names}
    routes[LOOP_BACK[0]] = LOOP_BACK[1]
    with hs.serve(routes) as server:
        urls = {name: server.url(CASES[name].path) for name in names}
        listed = ", ".join(f'"{url}"' for url in urls.values())
        config = write_config(root / "feeds.toml", "[sources]\nsettle_seconds = 0\n"
                              f"feed_timeout_seconds = 3\nfeeds = [{listed}]\n")
        run = completed(paths.once_args(config), timeout=180)
    status = completed(["status", "--state", str(paths.state), "--config", str(config)],
                       timeout=60)
    return FeedRun(paths, urls, companion, run, status, preview_messages(paths.out))


@pytest.fixture(scope="module")
def feed_runs(tmp_path_factory: pytest.TempPathFactory,
              installed_model: object) -> dict[str, FeedRun]:
    shared = [name for name in CASES if name not in OWN_RUN and name != "good_feed"]

    class Lazy(dict[str, FeedRun]):
        def __missing__(self, name: str) -> FeedRun:
            group = [name] if name in OWN_RUN else shared
            result = _run_feeds(tmp_path_factory.mktemp("feeds"), group)
            for member in group if name not in OWN_RUN else [name]:
                self[member] = result
            self.setdefault("good_feed", result)
            return result

    return Lazy()


@pytest.mark.slow
def test_the_run_with_hostile_feeds_is_clean(feed_runs: dict[str, FeedRun]) -> None:
    feed_run = feed_runs["html_page"]
    run, status = feed_run.run, feed_run.status
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr + status.stderr
    assert status.returncode == 0
    assert normalized(feed_run.companion.title) in feed_corpus(feed_run.paths.out)
    assert feed_run.messages and html_problems(feed_run.messages) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_hostile_feed(feed_runs: dict[str, FeedRun], name: str) -> None:
    case, feed_run = CASES[name], feed_runs[name]
    assert feed_run.run.returncode == 0, feed_run.run.stderr[-2000:]
    published = feed_corpus(feed_run.paths.out)
    assert normalized(feed_run.companion.title) in published
    for title in CASES["good_feed"].probes:
        assert normalized(title) in published, "the good feed beside it was not published"
    status_out = feed_run.status.stdout
    listed = re.search(re.escape(feed_run.urls[name]) + r"[^\n]*:\s*\S", status_out) is not None
    shown = bool(case.probes) and all(normalized(p) in published for p in case.probes)
    if case.kind == "read":
        assert shown, f"a valid feed was not published: {case.probes}"
    elif case.kind == "listed":
        assert listed, f"{feed_run.urls[name]} not listed with a reason by status:\n{status_out}"
    else:
        assert shown or listed, f"neither published nor listed by status:\n{status_out}"
    for text in case.forbidden:
        assert normalized(text) not in published
        for message in feed_run.messages:
            assert text not in message
        for path in [*all_files(feed_run.paths.out),
                     *feed_run.paths.state.parent.glob("state.sqlite3*")]:
            assert text.encode() not in path.read_bytes(), f"{text!r} found in {path}"
