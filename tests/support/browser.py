"""A real headless Chromium driven over the DevTools protocol on a pipe (no extra package).

Chromium's `--remote-debugging-pipe` reads commands on fd 3 and writes replies on fd 4, each a
JSON message ended by NUL. The pages under test carry no script (but the search page, whose
own script runs too): measurement runs here, through Runtime.evaluate, after the page has
loaded.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# What a reader's browser shows: a page too wide for it scrolls sideways.
MEASURE = """JSON.stringify({
  scrollWidth: document.documentElement.scrollWidth,
  clientWidth: document.documentElement.clientWidth,
  innerWidth: window.innerWidth,
  height: document.documentElement.scrollHeight,
  background: getComputedStyle(document.body).backgroundColor,
  color: getComputedStyle(document.body).color
})"""


@dataclass(frozen=True)
class Layout:
    """What the browser measured on one page at one width."""

    scroll_width: int
    client_width: int
    inner_width: int
    height: int
    background: str
    color: str

    @property
    def scrolls_sideways(self) -> bool:
        return self.scroll_width > self.client_width


def find_chromium() -> str | None:
    """The Chromium executable on PATH (Debian's `chromium`), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


@contextlib.contextmanager
def running_browser() -> Iterator[Browser]:
    """A headless Chromium for a module's tests, closed after them; the test is skipped,
    with the reason, where Chromium is not installed."""
    import pytest

    executable = find_chromium()
    if executable is None:
        pytest.skip("chromium is not installed (.ci/run installs it: apt-get install chromium)")
    browser = Browser(executable)
    try:
        yield browser
    finally:
        browser.close()


class Browser:
    """One headless Chromium process with one page; close() ends it."""

    def __init__(self, executable: str, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="kakehashi-chromium-")
        self._log = Path(self._profile) / "stderr.log"
        self._log_file = self._log.open("wb")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        flags = ["--headless", "--remote-debugging-pipe", "--disable-gpu", "--no-first-run",
                 "--no-default-browser-check", "--hide-scrollbars", "--mute-audio",
                 f"--user-data-dir={self._profile}"]
        if os.geteuid() == 0:
            flags.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        # The shell puts the two pipe ends on the fds Chromium expects (3 and 4); bash, as
        # dash cannot redirect from an fd above 9.
        script = f'exec "$0" "$@" 3<&{to_browser_r} 4>&{from_browser_w}'
        self._process = subprocess.Popen(
            ["bash", "-c", script, executable, *flags, "about:blank"],
            pass_fds=(to_browser_r, from_browser_w), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=self._log_file)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        try:
            target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self._session = self.call("Target.attachToTarget",
                                      {"targetId": target, "flatten": True})["sessionId"]
            self.call("Page.enable", session=True)
        except BaseException:
            self.close()
            raise

    def call(self, method: str, params: dict[str, Any] | None = None,
             session: bool = False) -> dict[str, Any]:
        """Send one command and wait for its reply (events seen meanwhile are kept)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self._session
        try:
            os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise RuntimeError(f"chromium: the browser is gone: {self._tail()}") from None
        while True:
            reply = self._receive()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self._events.append(reply)

    def load(self, path: Path | str, width: int, height: int, dark: bool = False) -> Layout:
        """Open `path` (a file, or a URL) in a viewport of `width` x `height` CSS pixels and
        measure it."""
        self.call("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
            session=True)
        scheme = "dark" if dark else "light"
        self.call("Emulation.setEmulatedMedia", {
            "features": [{"name": "prefers-color-scheme", "value": scheme}]}, session=True)
        self._events.clear()
        url = path if isinstance(path, str) else path.resolve().as_uri()
        self.call("Page.navigate", {"url": url}, session=True)
        self._wait_event("Page.loadEventFired")
        data = json.loads(self.evaluate(MEASURE))
        return Layout(data["scrollWidth"], data["clientWidth"], data["innerWidth"],
                      data["height"], data["background"], data["color"])

    def evaluate(self, expression: str) -> Any:
        """The JSON value of `expression` in the loaded page (measurement from outside)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                           session=True)
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float | None = None) -> Any:
        """The value of `expression` once it is truthy (pages that run scripts settle later);
        TimeoutError with its last value if it never is."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while not (value := self.evaluate(expression)):
            if time.monotonic() > deadline:
                raise TimeoutError(f"chromium: {expression!r} still {value!r}")
            time.sleep(0.1)
        return value

    def screenshot(self, target: Path) -> Path:
        """The current viewport as a PNG file."""
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(data))
        return target

    def close(self) -> None:
        """End the browser process and remove its profile."""
        with contextlib.suppress(OSError, RuntimeError, TimeoutError):
            self.call("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        self._log_file.close()
        shutil.rmtree(self._profile, ignore_errors=True)

    def _tail(self) -> str:
        try:
            return self._log.read_text(errors="replace")[-1500:]
        except OSError:
            return "(no output)"

    def _wait_event(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            for event in self._events:
                if event.get("method") == method:
                    return event
            self._events.append(self._receive())
        raise TimeoutError(f"chromium: no {method} within {self.timeout:.0f} s")

    def _receive(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_browser], [], [], max(left, 0))
            if not ready:
                raise TimeoutError(f"chromium: no reply within {self.timeout:.0f} s")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError(f"chromium: the browser closed its pipe: {self._tail()}")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(raw))
