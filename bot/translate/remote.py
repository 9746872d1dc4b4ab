"""The LibreTranslate engine: the sentences go to the servers of `translation.servers` (the
Translator seam: bot/translate/translator.py; the servers' rotation: bot/translate/servers.py).

Each request is one POST /translate of LibreTranslate's documented API with `q` a list, cut
to the server's limits; a sentence longer than the character limit goes in parts, cut after
a full stop or comma where it can be. Each request's translations are yielded as it returns,
so the translation memory keeps them there and then. When no server can take the next
request, a ModelError says why for each server: what was translated is kept, the next run
goes on from there. The API key comes from LIBRETRANSLATE_API_KEY only and is never in an
error or log line. Glossary terms are enforced on our side (placeholders in, verified after),
as for any engine whose tokenizer we cannot see.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from itertools import islice
from typing import Any

import httpx

from bot.config import TranslationConfig
from bot.core.errors import ModelError
from bot.translate.servers import Clock, RemotePolicy, Rotation, Server, read_limits
from bot.translate.translator import WholeBatches, gather

KEY_ENV = "LIBRETRANSLATE_API_KEY"
_HIDDEN = f"<{KEY_ENV}>"
_CUT = re.compile(r"(?<=[。！？!?])|(?<=[、，,])")  # where a long sentence is best cut
LOG = logging.getLogger("kakehashi.libretranslate")


class LibreTranslateTranslator(WholeBatches):
    """Remote servers as one engine: round robin over those in rotation, one request in
    flight on each."""

    def __init__(self, options: TranslationConfig, policy: RemotePolicy | None = None,
                 key: str | None = None, clock: Clock = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.options = options
        self.policy = policy or RemotePolicy()
        self._key = os.environ.get(KEY_ENV, "") if key is None else key
        self.rotation = Rotation(options.servers, self.policy, clock)
        self._sleep = sleep
        self._client: httpx.Client | None = None

    @property
    def identity(self) -> str:
        """Engine, pair and servers: the memory keeps this engine's sentences apart."""
        urls = ",".join(sorted(s.url for s in self.rotation.servers))
        return f"libretranslate|{self.options.from_code}-{self.options.to_code}|{urls}"

    def translate(self, sentences: Sequence[str]) -> list[str]:
        return gather(self.translate_groups(sentences), len(sentences))

    def translate_groups(self, sentences: Sequence[str]) -> Iterator[dict[int, str]]:
        """{index: translation} per request, as each returns: one request in flight on each
        server in rotation, a failed one sent again to the next."""
        if not sentences:
            return
        plan = _Plan.of(sentences, self._smallest_char_limit())
        if empty := {i: "" for i, own in enumerate(plan.parts) if not own}:
            yield empty
        queue = deque(range(len(plan.pieces)))
        flying: dict[Future[_Answer], tuple[Server, list[int]]] = {}
        self._http()  # one client, shared by the requests in flight
        with ThreadPoolExecutor(max_workers=len(self.rotation.servers)) as pool:
            while queue or flying:
                while queue and (server := self._server_for(
                        len(plan.pieces[queue[0]]), {s for s, _ in flying.values()})):
                    batch = [queue.popleft() for _ in range(_fill(server, plan, queue))]
                    sent = [plan.pieces[i] for i in batch]
                    flying[pool.submit(self._post, server, sent)] = (server, batch)
                finished, _ = wait(list(flying), return_when=FIRST_COMPLETED)
                for future in finished:
                    server, batch = flying.pop(future)
                    if (texts := self._settle(server, future.result())) is None:
                        queue.extendleft(reversed(batch))  # for the next server
                    elif done := plan.done(batch, texts):
                        yield done

    def _smallest_char_limit(self) -> int:
        """Sentences are cut to the smallest limit known; every server's is read once."""
        for server in self.rotation.servers:
            if server.limits is None and server.not_before <= self.rotation.clock():
                self._read_settings(server)
        known = [s.limits.chars for s in self.rotation.servers if s.limits is not None]
        return min(known, default=self.policy.max_chars)

    def _server_for(self, length: int, busy: set[Server]) -> Server | None:
        """The next idle server that takes a text of `length` characters; None while one is
        busy and no other is ready. With none busy: waits out a failed server's backoff if
        need be; ModelError when every server is out of rotation."""
        def fits(server: Server) -> bool:
            return server.limits is None or length <= server.limits.chars

        if not any(fits(server) for server in self.rotation.servers):
            raise ModelError(f"translate: a text of {length} characters is over the limit of "
                             "every LibreTranslate server")
        while True:
            server = self.rotation.pick(lambda s: s not in busy and fits(s))
            if server is not None:
                if (server.limits is not None or self._read_settings(server)) and fits(server):
                    return server
                continue
            if busy:
                return None  # the requests in flight first
            if self.rotation.all_resting(fits):
                raise ModelError(f"translate: no LibreTranslate server could translate "
                                 f"({self._hidden(self.rotation.summary())}); what was "
                                 "translated is kept and the next run goes on from there")
            self._sleep(self.rotation.next_ready(fits))

    def _read_settings(self, server: Server) -> bool:
        """The server's limits from /frontend/settings (ours when it has no such page)."""
        try:
            response = self._http().get(f"{server.url}/frontend/settings")
        except httpx.HTTPError as exc:
            self._failed(server, _describe(exc))
            return False
        if response.status_code == 429 or response.status_code >= 500:
            self._failed(server, _status(response), _retry_after(response))
            return False
        settings = _json(response) if response.status_code == 200 else None
        server.limits = read_limits(settings, self.policy)
        return True

    def _post(self, server: Server, texts: list[str]) -> _Answer:
        """One request (in a worker thread: the rotation is told by `_settle`, after)."""
        body: dict[str, Any] = {"q": texts, "source": self.options.from_code,
                                "target": self.options.to_code, "format": "text"}
        if self._key:
            body["api_key"] = self._key
        try:
            response = self._http().post(f"{server.url}/translate", json=body)
        except httpx.HTTPError as exc:
            return _Answer(reason=_describe(exc))
        if response.status_code == 429 or response.status_code >= 500:
            return _Answer(reason=_status(response), retry_after=_retry_after(response))
        if response.status_code != 200:
            return _Answer(reason=_status(response), refused=True)
        found = (_json(response) or {}).get("translatedText")
        if not (isinstance(found, list) and len(found) == len(texts)
                and all(isinstance(t, str) for t in found)):
            return _Answer(reason="answered without one translation per text")
        return _Answer(texts=found)

    def _settle(self, server: Server, answer: _Answer) -> list[str] | None:
        """The rotation told how a request went; its translations, or None if it failed."""
        if answer.texts is not None:
            self.rotation.succeeded(server)
        elif answer.refused:
            self._refused(server, answer.reason)
        else:
            self._failed(server, answer.reason, answer.retry_after)
        return answer.texts

    def _failed(self, server: Server, reason: str, retry_after: float = 0.0) -> None:
        self.rotation.failed(server, self._hidden(reason), retry_after)
        self._say(server)

    def _refused(self, server: Server, reason: str) -> None:
        self.rotation.refused(server, self._hidden(reason))
        self._say(server)

    def _say(self, server: Server) -> None:
        wait = max(0.0, server.not_before - self.rotation.clock())
        state = "out of rotation for" if self.rotation.resting(server) else "asked again in"
        LOG.warning("libretranslate: %s failed (%s); %s %.0f s", server.url,
                    server.last_error, state, wait)

    def _hidden(self, text: str) -> str:
        return text.replace(self._key, _HIDDEN) if len(self._key) >= 4 else text

    def _http(self) -> httpx.Client:
        if self._client is None:
            p = self.policy
            self._client = httpx.Client(timeout=httpx.Timeout(p.read_timeout,
                                                              connect=p.connect_timeout))
        return self._client


def _fill(server: Server, plan: _Plan, queue: deque[int]) -> int:
    """How many pieces, from the head of `queue`, one request to `server` takes (at least
    one)."""
    assert server.limits is not None
    count, chars = 0, 0
    for i in islice(queue, server.limits.texts):
        length = len(plan.pieces[i])
        if count and chars + length > server.limits.chars:
            break
        count, chars = count + 1, chars + length
    return count


@dataclass(frozen=True)
class _Answer:
    """What one request came back with: the translations, or why not."""

    texts: list[str] | None = None
    reason: str = ""
    retry_after: float = 0.0
    refused: bool = False  # a 4xx other than 429


@dataclass(frozen=True)
class _Plan:
    """The sentences cut into pieces (`parts[i]`: the pieces of sentence i), and the
    translations of the pieces as they come back."""

    pieces: list[str]
    owner: list[int]  # the sentence of each piece
    parts: list[list[int]]
    outputs: list[str]
    left: list[int]  # pieces of each sentence still to come back

    @classmethod
    def of(cls, sentences: Sequence[str], chars: int) -> _Plan:
        pieces: list[str] = []
        owner: list[int] = []
        parts: list[list[int]] = [[] for _ in sentences]
        for index, sentence in enumerate(sentences):
            for piece in split_text(sentence.strip(), chars):
                parts[index].append(len(pieces))
                pieces.append(piece)
                owner.append(index)
        return cls(pieces, owner, parts, [""] * len(pieces), [len(own) for own in parts])

    def done(self, batch: list[int], texts: list[str]) -> dict[int, str]:
        """The sentences these translations complete, each its parts' translations joined."""
        done = {}
        for i, text in zip(batch, texts, strict=True):
            self.outputs[i] = text.strip()
            self.left[self.owner[i]] -= 1
            if self.left[self.owner[i]] == 0:
                own = self.parts[self.owner[i]]
                done[self.owner[i]] = " ".join(self.outputs[j] for j in own if self.outputs[j])
        return done


def split_text(text: str, limit: int) -> list[str]:
    """`text` in parts of at most `limit` characters, cut after a full stop or a comma where
    possible (a part of less than half the limit is not worth the lost context)."""
    parts: list[str] = []
    while len(text) > limit:
        cuts = [m.start() for m in _CUT.finditer(text, 1, limit + 1)]
        cut = max((c for c in cuts if c >= limit // 2), default=limit)
        parts.append(text[:cut])
        text = text[cut:]
    if text:
        parts.append(text)
    return [part for part in parts if part.strip()]


def _json(response: httpx.Response) -> Any:
    try:
        found = response.json()
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _status(response: httpx.Response) -> str:
    """`500 Cannot translate text: …`: the status and LibreTranslate's {"error": …}."""
    error = (_json(response) or {}).get("error")
    detail = str(error) if error else response.reason_phrase
    return f"{response.status_code} {detail}"[:200]


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("retry-after", 0)))
    except ValueError:
        return 0.0


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:200] if str(exc) else type(exc).__name__
