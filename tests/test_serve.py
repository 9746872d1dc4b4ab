"""`kakehashi serve` in-process: the real server on 127.0.0.1, real HTTP clients (urllib,
http.client, httpx, raw sockets) and a real feed reader (feedparser) against OUT/ written by
the real publishers."""

from __future__ import annotations

import gzip
import http.client
import logging
import os
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import feedparser
import httpx
import pytest

from bot.config import load_config
from bot.core.errors import ConfigError, ServeError
from bot.publish.files import write_atomic
from bot.publish.serve import RunningServer, start_server
from bot.publish.served import private_files
from bot.state.lock import hold_state_lock
from bot.state.store import Store
from tests.support.site import write_sample_site

SECRET = "outside OUT: must never be served"


@dataclass
class Site:
    out: Path
    root: Path
    server: RunningServer

    def url(self, path: str) -> str:
        return self.server.url.rstrip("/") + path

    def get(self, path: str, headers: dict[str, str] | None = None,
            method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        """One raw request (the path sent exactly as given): status, headers, body."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for key, value in (headers or {}).items():
                conn.putheader(key, value)
            conn.endheaders()
            response = conn.getresponse()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            conn.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    out = tmp_path / "out"
    write_sample_site(out)
    state = out / "state.sqlite3"
    Store.open(state).close()  # a real state file, with its lock beside it
    with hold_state_lock(state, 0):
        pass
    (out / "state.sqlite3-wal").write_bytes(b"wal")
    (out / ".feed.xml.abcd1234.tmp").write_text("half a feed", encoding="utf-8")
    (tmp_path / "secret.html").write_text(SECRET, encoding="utf-8")
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    with start_server(out, "127.0.0.1", 0, denied=private_files(state)) as server:
        yield Site(out, tmp_path, server)


def test_feed_200_then_304_on_revalidation(site: Site):
    with urllib.request.urlopen(site.url("/feed.xml"), timeout=10) as response:
        body = response.read()
        etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert body == (site.out / "feed.xml").read_bytes()
    assert etag.startswith('"') and modified.endswith("GMT")
    for condition in ({"If-None-Match": etag}, {"If-Modified-Since": modified},
                      {"If-None-Match": f'"other", W/{etag}'}, {"If-None-Match": "*"}):
        status, headers, again = site.get("/feed.xml", condition)
        assert (status, again) == (304, b""), condition
        assert headers["etag"] == etag and headers["last-modified"] == modified
    # A validator the file no longer matches gets the new feed.
    write_atomic(site.out / "feed.xml", body.decode() + "<!-- changed -->\n")
    status, headers, changed = site.get("/feed.xml", {"If-None-Match": etag})
    assert status == 200 and changed.endswith(b"<!-- changed -->\n")
    assert headers["etag"] != etag


def test_if_none_match_wins_over_if_modified_since(site: Site):
    status, headers, _ = site.get("/feed.xml")
    status, _, body = site.get("/feed.xml", {"If-None-Match": '"stale"',
                                             "If-Modified-Since": headers["last-modified"]})
    assert status == 200 and body == (site.out / "feed.xml").read_bytes()
    status, _, _ = site.get("/feed.xml", {"If-Modified-Since": "not a date"})
    assert status == 200


def test_feedparser_reads_the_feed_and_revalidates(site: Site):
    first = feedparser.parse(site.url("/feed.xml"))
    assert first.status == 200 and first.bozo == 0
    assert len(first.entries) == 3 and first.etag and first.modified
    assert feedparser.parse(site.url("/feed.xml"), etag=first.etag).status == 304
    assert feedparser.parse(site.url("/feed.xml"), modified=first.modified).status == 304


def test_gzip_when_accepted_decodes_to_the_same_bytes(site: Site):
    plain_status, plain, raw = site.get("/feed.xml")
    status, headers, packed = site.get("/feed.xml", {"Accept-Encoding": "br, gzip;q=0.8"})
    assert plain_status == status == 200
    assert "content-encoding" not in plain and plain["vary"] == "Accept-Encoding"
    assert headers["content-encoding"] == "gzip" and headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(packed) == raw and len(packed) < len(raw) / 2
    assert int(headers["content-length"]) == len(packed)
    # Another representation, another strong validator (RFC 9110 8.8.3).
    assert headers["etag"] != plain["etag"]
    assert site.get("/feed.xml", {"Accept-Encoding": "gzip",
                                  "If-None-Match": headers["etag"]})[0] == 304
    assert site.get("/feed.xml", {"If-None-Match": headers["etag"]})[0] == 200
    refused = site.get("/feed.xml", {"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused[1] and refused[2] == raw
    with httpx.Client() as client:  # decodes gzip itself
        response = client.get(site.url("/index.html"))
        assert response.headers["content-encoding"] == "gzip"
        assert response.content == (site.out / "index.html").read_bytes()
        # Compressed answers are kept for the next reader, never past a change of the file.
        write_atomic(site.out / "index.html", "<p>changed</p>\n" * 40)
        changed = client.get(site.url("/index.html"))
    assert changed.content == b"<p>changed</p>\n" * 40
    assert changed.headers["etag"] != response.headers["etag"]


PAGES = [
    ("/", "index.html", "text/html; charset=utf-8"),
    ("/index.html", "index.html", "text/html; charset=utf-8"),
    ("/feed.xml", "feed.xml", "application/rss+xml; charset=utf-8"),
    ("/digests/1.html", "digests/1.html", "text/html; charset=utf-8"),
    ("/articles/kakehashi-0a1b2c3d4e5f60718293a4b5.html",
     "articles/kakehashi-0a1b2c3d4e5f60718293a4b5.html", "text/html; charset=utf-8"),
    ("/feed.xml?utm_source=x", "feed.xml", "application/rss+xml; charset=utf-8"),
    ("/robots.txt", "robots.txt", "text/plain; charset=utf-8"),
]


@pytest.mark.parametrize(("path", "name", "content_type"), PAGES)
def test_pages_with_their_content_types(site: Site, path: str, name: str, content_type: str):
    status, headers, body = site.get(path)
    assert status == 200 and headers["content-type"] == content_type
    assert body == (site.out / name).read_bytes()
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-cache"


def test_pages_forbid_scripts_and_outside_resources(site: Site):
    _, headers, _ = site.get("/index.html")
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    # Same-server requests only (audits read robots.txt from the page): no script can make one.
    assert "connect-src 'self';" in policy


def test_head_answers_the_headers_of_get_without_a_body(site: Site):
    for encoding in ("identity", "gzip"):
        _, got, body = site.get("/feed.xml", {"Accept-Encoding": encoding})
        status, head, nothing = site.get("/feed.xml", {"Accept-Encoding": encoding}, "HEAD")
        assert status == 200 and nothing == b""
        assert int(head["content-length"]) == len(body)
        for key in ("etag", "last-modified", "content-type", "vary"):
            assert head[key] == got[key]
    assert site.get("/missing.html", method="HEAD")[0] == 404


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE",
                                    "BREW"])
def test_only_get_and_head(site: Site, method: str):
    before = (site.out / "feed.xml").read_bytes()
    status, headers, _ = site.get("/feed.xml", {"Content-Length": "0"}, method)
    assert status == 405 and headers["allow"] == "GET, HEAD"
    assert (site.out / "feed.xml").read_bytes() == before


@pytest.mark.parametrize("path", ["/digests/", "/digests", "/articles/", "/telegram/",
                                  "/telegram/001.html", "/missing.html", "/digests//1.html"])
def test_no_listing_and_no_previews(site: Site, path: str):
    assert (site.out / "telegram" / "001.html").is_file()
    status, _, body = site.get(path)
    assert status == 404 and b"1.html" not in body and b"<a" not in body


@pytest.mark.parametrize("path", ["/state.sqlite3", "/state.sqlite3-wal", "/state.sqlite3.lock",
                                  "/.feed.xml.abcd1234.tmp", "/%2efeed.xml.abcd1234.tmp"])
def test_state_lock_and_temp_files_are_never_served(site: Site, path: str):
    assert (site.out / path.lstrip("/").replace("%2e", ".")).exists()
    status, _, body = site.get(path)
    assert status == 404 and b"SQLite" not in body and b"half a feed" not in body


def test_a_state_file_named_like_a_page_is_not_served(tmp_path: Path):
    out = tmp_path / "out"
    write_sample_site(out)
    state = out / "archive.xml"
    Store.open(state).close()
    with start_server(out, "127.0.0.1", 0, denied=private_files(state)) as server:
        site = Site(out, tmp_path, server)
        assert site.get("/archive.xml")[0] == 404
        assert site.get("/feed.xml")[0] == 200


TRAVERSALS = [
    "/../secret.html", "/digests/../../secret.html", "/%2e%2e/secret.html",
    "/%2E%2E%2Fsecret.html", "/digests%2F..%2F..%2Fsecret.html", "/..%5csecret.html",
    "/..\\secret.html", "/%252e%252e/secret.html", "/./feed.xml", "//secret.html",
    "/" + str(Path("/etc/passwd")).lstrip("/"), "/%2Fetc%2Fpasswd", "secret.html",
    "http://127.0.0.1/../secret.html", "/feed.xml%00.html", "/%ff%fe.html", "/%",
    "/articles/..%2f..%2fsecret.html", "/.%2e/secret.txt",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_nothing_outside_out(site: Site, path: str):
    status, _, body = site.get(path)
    assert status in (400, 404), status
    assert SECRET.encode() not in body and b"root:" not in body


def test_absolute_and_nul_paths_through_a_raw_socket(site: Site):
    absolute = str(site.root / "secret.html")
    for target in (absolute.encode(), b"/feed.xml\x00../secret.html", b"/\x00",
                   b"/digests/\x00/../../secret.html"):
        with socket.create_connection(("127.0.0.1", site.server.port), timeout=10) as sock:
            sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            reply = _read_all(sock)
        assert reply.split(b" ", 2)[1] in (b"400", b"404"), (target, reply[:80])
        assert SECRET.encode() not in reply


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_symlinks_are_not_followed(site: Site):
    outside = site.root / "elsewhere"
    outside.mkdir()
    (outside / "1.html").write_text(SECRET, encoding="utf-8")
    (site.out / "articles" / "leak.html").symlink_to(site.root / "secret.html")
    (site.out / "inside.html").symlink_to(site.out / "index.html")  # even inside OUT
    (site.out / "digests").rename(site.root / "digests-real")
    (site.out / "digests").symlink_to(outside)
    for path in ("/articles/leak.html", "/inside.html", "/digests/1.html"):
        status, _, body = site.get(path)
        assert status == 404 and SECRET.encode() not in body, path


def test_a_named_pipe_is_refused_without_blocking(site: Site):
    os.mkfifo(site.out / "pipe.html")
    assert site.get("/pipe.html")[0] == 404
    assert site.get("/feed.xml")[0] == 200


def test_a_file_replaced_while_served_is_served_whole(site: Site):
    feed = site.out / "feed.xml"
    versions = [feed.read_text(encoding="utf-8"), "<rss>short</rss>\n",
                feed.read_text(encoding="utf-8") * 3]
    allowed = {v.encode() for v in versions}
    stop = threading.Event()

    def replace_forever() -> None:
        number = 0
        while not stop.is_set():
            write_atomic(feed, versions[number % 3])
            number += 1

    writer = threading.Thread(target=replace_forever)
    writer.start()
    seen: dict[bytes, str] = {}
    try:
        with httpx.Client(headers={"Accept-Encoding": "identity"}) as client:
            for _ in range(60):
                response = client.get(site.url("/feed.xml"))
                assert response.status_code == 200 and response.content in allowed
                assert int(response.headers["content-length"]) == len(response.content)
                assert seen.setdefault(response.content, response.headers["etag"]) == \
                    response.headers["etag"]
    finally:
        stop.set()
        writer.join()
    assert len(seen) >= 2


def test_one_debug_line_per_request(site: Site, caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.DEBUG, logger="bot.publish.serve"):
        site.get("/feed.xml")
        site.get("/../secret.html")
        site.get("/feed.xml", method="POST")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.publish.serve"]
    assert len(lines) == 3, lines
    assert '"GET /feed.xml HTTP/1.1" 200' in lines[0]
    assert " 400" in lines[1] and " 405" in lines[2]
    assert all(r.levelno == logging.DEBUG for r in caplog.records)


def test_keep_alive_serves_several_requests_on_one_connection(site: Site):
    conn = http.client.HTTPConnection("127.0.0.1", site.server.port, timeout=10)
    try:
        for path in ("/feed.xml", "/missing.html", "/index.html"):
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            assert response.status in (200, 404)
    finally:
        conn.close()


def test_port_in_use_is_one_line(site: Site):
    with pytest.raises(ServeError) as error:
        start_server(site.out, "127.0.0.1", site.server.port)
    message = str(error.value)
    assert f"127.0.0.1:{site.server.port}" in message and "already in use" in message
    assert "\n" not in message


def test_close_stops_listening(tmp_path: Path):
    server = start_server(tmp_path, "127.0.0.1", 0)
    port = server.port
    server.close()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)


def test_an_out_folder_created_later_is_served(tmp_path: Path):
    out = tmp_path / "not-yet"
    with start_server(out, "127.0.0.1", 0) as server:
        site = Site(out, tmp_path, server)
        assert site.get("/feed.xml")[0] == 404
        write_sample_site(out)
        assert site.get("/feed.xml")[0] == 200


@pytest.mark.parametrize("section", ['port = 70000', 'port = -1', 'port = "80"', 'host = ""',
                                     'address = "x"'])
def test_bad_serve_settings_are_config_errors(tmp_path: Path, section: str):
    config = tmp_path / "k.toml"
    config.write_text(f"[serve]\n{section}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config: .*serve\."):
        load_config(config, {})


def test_serve_settings_default_to_loopback_8080(tmp_path: Path):
    config = tmp_path / "k.toml"
    config.write_text('[serve]\nhost = "0.0.0.0"\n', encoding="utf-8")
    assert (load_config(config, {}).serve.host, load_config(config, {}).serve.port) == (
        "0.0.0.0", 8080)
    assert load_config(None, {}).serve.host == "127.0.0.1"
