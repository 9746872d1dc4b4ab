"""The engine against the real LibreTranslate server, when the `libretranslate` package is
importable (it is not a dependency: this test is skipped otherwise). The server runs on
127.0.0.1 over the tests' own Argos folder, which holds the tiny random-weight ja→en package;
its package index points at a closed local port, so it downloads nothing."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from bot.config import TranslationConfig
from bot.translate.remote import LibreTranslateTranslator

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("libretranslate") is None,
    reason="the libretranslate package is not installed (optional: the fake server in "
           "tests/support/fake_libretranslate.py stands for it in the other tests)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def real_server(installed_model: object) -> Iterator[str]:
    port = free_port()
    code = ("import sys; from libretranslate.main import main; sys.argv = ['libretranslate', "
            f"'--host', '127.0.0.1', '--port', '{port}', '--load-only', 'ja,en', "
            "'--char-limit', '200', '--disable-web-ui']; main()")
    server = subprocess.Popen([sys.executable, "-c", code], env=dict(os.environ),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if httpx.get(f"{url}/languages", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail(f"LibreTranslate did not come up on {url} (exit {server.poll()})")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_real_server_translates_each_text_within_its_limit(real_server: str):
    options = TranslationConfig(engine="libretranslate", servers=(real_server,))
    remote = LibreTranslateTranslator(options, key="")
    sentences = ["中国と中央アジアの協力が深まっている。", "ホルゴスを経由する。" * 30, ""]
    out = remote.translate(sentences)
    assert len(out) == 3 and out[2] == ""
    assert all(isinstance(text, str) for text in out)
    (server,) = remote.rotation.servers
    assert server.limits is not None and server.limits.chars == 200
