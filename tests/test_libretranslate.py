"""The LibreTranslate engine against a fake server speaking LibreTranslate's documented API
(tests/support/fake_libretranslate.py): limits, retries, rotation, the key, the memory."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from bot.config import TranslationConfig
from bot.core.errors import ModelError
from bot.core.resources import resource_dir
from bot.glossary import load_glossary
from bot.glossary.enforce import PLACEHOLDER_FORMS, translate_with_terms, usable_forms
from bot.state.store import Store
from bot.translate.engine import build_engine
from bot.translate.memory import CachedTranslator
from bot.translate.remote import KEY_ENV, LibreTranslateTranslator, split_text
from bot.translate.servers import RemotePolicy, Rotation
from tests.support.fake_libretranslate import FakeLibreTranslate, running, stand_in

# Waits short enough for tests; the rules are the same.
QUICK = RemotePolicy(connect_timeout=5, read_timeout=30, backoff_base=0.01, backoff_cap=0.05,
                     rest_seconds=60)
SENTENCES = [f"中国と中央アジアの協力{n}が深まっている。" for n in range(40)]


def engine(*servers: FakeLibreTranslate, key: str = "",
           policy: RemotePolicy = QUICK) -> LibreTranslateTranslator:
    options = TranslationConfig(engine="libretranslate", servers=tuple(s.url for s in servers))
    return LibreTranslateTranslator(options, policy, key=key)


@pytest.fixture
def server() -> Iterator[FakeLibreTranslate]:
    with running(FakeLibreTranslate()) as fake:
        yield fake


def test_the_fake_speaks_the_documented_api(server: FakeLibreTranslate):
    base = server.url
    one = httpx.post(f"{base}/translate", json={"q": "中国ZX1", "source": "ja", "target": "en"})
    assert one.json() == {"translatedText": "word ZX1"}
    many = httpx.post(f"{base}/translate", json={"q": ["中国", "ABC"], "source": "ja",
                                                 "target": "en", "format": "text"})
    assert many.json() == {"translatedText": ["word", "ABC"]}
    form = httpx.post(f"{base}/translate", data={"q": "中国", "source": "ja", "target": "en"})
    assert form.json() == {"translatedText": "word"}
    assert {lang["code"] for lang in httpx.get(f"{base}/languages").json()} == {"ja", "en"}
    missing = httpx.post(f"{base}/translate", json={"source": "ja", "target": "en"})
    assert missing.status_code == 400 and "missing q" in missing.json()["error"]
    other = httpx.post(f"{base}/translate", json={"q": "x", "source": "xx", "target": "en"})
    assert other.status_code == 400 and other.json() == {"error": "xx is not supported"}


def test_the_fake_enforces_its_limits_and_keys():
    fake = FakeLibreTranslate(char_limit=5, batch_limit=2, api_keys=("k-1",))
    with running(fake):
        settings = httpx.get(f"{fake.url}/frontend/settings").json()
        assert (settings["charLimit"], settings["batchLimit"], settings["keyRequired"]) == (
            5, 2, True)
        post = {"source": "ja", "target": "en"}
        no_key = httpx.post(f"{fake.url}/translate", json={"q": "a", **post})
        wrong = httpx.post(f"{fake.url}/translate", json={"q": "a", "api_key": "k-2", **post})
        assert (no_key.status_code, wrong.status_code) == (400, 403)
        assert wrong.json() == {"error": "Invalid API key"}
        over = httpx.post(f"{fake.url}/translate",
                          json={"q": ["abc", "def"], "api_key": "k-1", **post})
        assert over.status_code == 400 and "exceeds text limit (5)" in over.json()["error"]
        fake.script = [(429, "Slowdown: too many requests"), (500, "Cannot translate text")]
        for status in (429, 500):
            answer = httpx.post(f"{fake.url}/translate", json={"q": "a", "api_key": "k-1",
                                                                **post})
            assert answer.status_code == status and "error" in answer.json()


def test_batches_keep_within_the_servers_limits_and_long_sentences_go_in_parts():
    fake = FakeLibreTranslate(char_limit=60, batch_limit=3)
    long = "国境の駅では積み替えの待ち時間が大きく短くなった、" * 6 + "終わり。"
    with running(fake):
        remote = engine(fake)
        out = remote.translate([*SENTENCES[:10], long, "", "ABC"])
    assert out[:10] == stand_in(SENTENCES[:10])
    assert out[11:] == ["", "ABC"]
    assert out[10] == "word word word"  # 154 characters: three parts, cut after a comma
    assert [t for t in fake.texts if t.startswith("国境")] == [long[:50], long[50:100],
                                                               long[100:]]
    assert fake.received and all(isinstance(r["q"], list) for r in fake.received)
    assert max(len(r["q"]) for r in fake.received) == 3
    assert max(sum(len(t) for t in r["q"]) for r in fake.received) <= 60
    assert fake.settings_reads == 1


def test_a_server_that_says_no_batch_limit_gets_ours():
    fake = FakeLibreTranslate(batch_limit=5, announce_batch_limit=False)
    with running(fake):
        policy = RemotePolicy(max_texts=4, backoff_base=0.01, backoff_cap=0.05)
        assert engine(fake, policy=policy).translate(SENTENCES) == stand_in(SENTENCES)
    assert max(len(r["q"]) for r in fake.received) == 4


def test_split_text_cuts_after_a_stop_and_never_over_the_limit():
    text = "あ" * 30 + "。" + "い" * 30 + "、" + "う" * 100
    parts = split_text(text, 40)
    assert "".join(parts) == text and all(len(p) <= 40 for p in parts)
    assert parts[0].endswith("。")
    assert split_text("  ", 10) == [] and split_text("短い。", 10) == ["短い。"]


def test_each_request_is_yielded_as_it_returns():
    fake = FakeLibreTranslate(batch_limit=8)
    with running(fake):
        groups = list(engine(fake).translate_groups(SENTENCES))
    assert len(groups) == len(fake.answered) == 5
    assert sorted(i for group in groups for i in group) == list(range(len(SENTENCES)))


@pytest.mark.parametrize("fault", [(429, "Slowdown: too many requests"),
                                   (500, "Cannot translate text: out of memory"),
                                   (503, "Service Unavailable")])
def test_a_failing_server_is_retried_then_left_for_the_good_one(fault: tuple[int, str]):
    bad, good = FakeLibreTranslate(fail_with=fault), FakeLibreTranslate(batch_limit=4)
    with running(bad), running(good):
        remote = engine(bad, good, policy=replace(QUICK, backoff_base=0))  # asked in turn
        for start in range(0, len(SENTENCES), 8):  # several calls: rotation persists
            chunk = SENTENCES[start:start + 8]
            assert remote.translate(chunk) == stand_in(chunk)
    assert bad.answered == [] and good.texts == SENTENCES
    assert len(bad.received) == QUICK.failures_to_rest  # then out of rotation
    (resting,) = [s for s in remote.rotation.servers if remote.rotation.resting(s)]
    assert resting.url == bad.url and str(fault[0]) in resting.last_error


def test_each_server_has_a_request_in_flight_at_once():
    both = threading.Barrier(2, timeout=60)  # passes only with a request on each at once

    def meeting(texts: list[str]) -> list[str]:
        both.wait()
        return stand_in(texts)

    one, two = (FakeLibreTranslate(translate=meeting, batch_limit=4) for _ in range(2))
    with running(one), running(two):
        assert engine(one, two).translate(SENTENCES[:8]) == stand_in(SENTENCES[:8])
    assert len(one.answered) == len(two.answered) == 1 and not both.broken


def test_requests_are_spread_over_the_servers():
    one, two = FakeLibreTranslate(batch_limit=4), FakeLibreTranslate(batch_limit=4)
    with running(one), running(two):
        assert engine(one, two).translate(SENTENCES) == stand_in(SENTENCES)
    assert one.answered and two.answered
    assert sorted(one.texts + two.texts) == sorted(SENTENCES)  # each sent once


def test_a_server_back_from_its_rest_is_used_again():
    now = [0.0]
    fake = FakeLibreTranslate(fail_with=(500, "down"))
    with running(fake):
        options = TranslationConfig(engine="libretranslate", servers=(fake.url,))
        remote = LibreTranslateTranslator(options, QUICK, key="", clock=lambda: now[0],
                                          sleep=lambda s: now.__setitem__(0, now[0] + s))
        with pytest.raises(ModelError, match="500 down"):
            remote.translate(SENTENCES[:2])
        with pytest.raises(ModelError):  # still resting: not even asked
            remote.translate(SENTENCES[:2])
        asked = len(fake.received)
        fake.fail_with = None
        now[0] += QUICK.rest_seconds
        assert remote.translate(SENTENCES[:2]) == stand_in(SENTENCES[:2])
    assert asked == QUICK.failures_to_rest


def test_when_every_server_fails_the_error_names_each(caplog: pytest.LogCaptureFixture):
    dead = FakeLibreTranslate().start()
    dead.stop()  # nothing listens on its port
    refusing = FakeLibreTranslate(api_keys=("right-key",))
    with running(refusing), caplog.at_level(logging.WARNING):
        remote = engine(dead, refusing, key="wrong-key-123")
        with pytest.raises(ModelError) as failed:
            remote.translate(SENTENCES[:3])
    message = str(failed.value)
    assert "\n" not in message and dead.url in message and refusing.url in message
    assert "403 Invalid API key" in message and "ConnectError" in message
    assert "wrong-key-123" not in message + caplog.text
    assert refusing.received and refusing.received[-1]["api_key"] == "wrong-key-123"


def test_the_key_comes_from_the_environment_and_is_never_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    key = "sekret-0123456789"
    fake = FakeLibreTranslate(api_keys=(key,), script=[(500, f"echoing {key}")])
    monkeypatch.setenv(KEY_ENV, key)
    with running(fake), caplog.at_level(logging.DEBUG):
        remote = build_engine(TranslationConfig(engine="libretranslate", servers=(fake.url,)))
        assert isinstance(remote, LibreTranslateTranslator)
        remote.policy = QUICK
        remote.rotation.policy = QUICK
        assert remote.translate(["中国。"]) == ["word"]
    assert fake.received[-1]["api_key"] == key
    assert "500" in caplog.text and key not in caplog.text  # the failure said, not the key
    assert key not in remote.identity
    monkeypatch.delenv(KEY_ENV)
    assert "api_key" not in _sent_body(fake)


def _sent_body(fake: FakeLibreTranslate) -> dict[str, object]:
    """The body a keyless engine sends (to a server that asks for none)."""
    with running(FakeLibreTranslate()) as open_server:
        engine(open_server).translate(["中国。"])
        return open_server.received[-1]


def test_glossary_terms_are_enforced_through_the_server(server: FakeLibreTranslate):
    remote = engine(server)
    assert usable_forms(remote) == list(PLACEHOLDER_FORMS)  # all kept: verified after
    glossary = load_glossary((resource_dir("glossary"),))
    texts = ["中欧班列はホルゴスを経由して欧州に向かう。", "一帯一路は2013年に始まった。"]
    results = translate_with_terms(texts, glossary, remote)
    terms = [t for r in results for t in r.terms]
    assert len(terms) >= 3 and all(t.status == "enforced" for t in terms)
    assert all(t.en in r.english for r in results for t in r.terms)


def test_the_memory_keeps_engines_apart(tmp_path: Path, server: FakeLibreTranslate):
    other = FakeLibreTranslate(translate=lambda texts: [t.upper() for t in texts])
    store = Store.open(tmp_path / "state.sqlite3")
    try:
        with running(other):
            first = CachedTranslator(engine(server), store)
            second = CachedTranslator(engine(other), store)
            assert first.identity != second.identity
            assert first.translate(["中国。ab"]) == ["word ab"]
            assert second.translate(["中国。ab"]) == ["中国。AB"]  # not the first one's
            assert first.translate(["中国。ab"]) == ["word ab"]  # from memory
        assert (first.hits, first.misses, second.misses) == (1, 1, 1)
        assert len(server.answered) == 1
    finally:
        store.close()


def test_identity_names_the_engine_pair_and_servers():
    options = TranslationConfig(engine="libretranslate",
                                servers=("http://b:5000/", "http://a:5000"))
    remote = LibreTranslateTranslator(options, key="k")
    assert remote.identity == "libretranslate|ja-en|http://a:5000,http://b:5000"


def test_a_text_over_every_servers_limit_is_a_clear_error():
    fake = FakeLibreTranslate(char_limit=20)
    with running(fake):
        remote = engine(fake)
        assert remote.translate(["中国。"]) == ["word"]  # its limit is known now
        with pytest.raises(ModelError, match="a text of 50 characters is over the limit"):
            remote._server_for(50, set())


def test_rotation_backs_off_rests_and_honours_retry_after():
    now = [100.0]
    policy = RemotePolicy(backoff_base=1, backoff_cap=30, failures_to_rest=3, rest_seconds=120)
    rotation = Rotation(("http://a", "http://b/"), policy, clock=lambda: now[0])
    a, b = rotation.servers
    assert b.url == "http://b" and rotation.pick() is a and rotation.pick() is b
    rotation.failed(a, "500 x", retry_after=45)  # 429's Retry-After, over the backoff
    assert a.not_before >= 145 and rotation.pick() is b and rotation.pick() is b
    rotation.failed(a, "500 x")
    rotation.failed(a, "500 x")
    assert rotation.resting(a) and a.not_before == 220  # the third in a row: out
    rotation.refused(b, "403 Invalid API key")
    assert rotation.resting(b) and rotation.all_resting() and rotation.pick() is None
    now[0] = 230
    assert rotation.pick() is a  # back after its rest
    rotation.succeeded(a)
    assert (a.failures, a.last_error) == (0, "")
    assert "http://b: 403 Invalid API key" in rotation.summary()
