"""Composition: build the pieces a command needs from the Config and run them.

Kept apart from `bot.cli.main` so the CLI stays argument parsing and error mapping only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.config import Config, TelegramConfig
from bot.core.errors import InputError, KakehashiError, ModelError, ModelMissingError
from bot.core.model import Analysis, Term
from bot.core.resources import resource_dir
from bot.glossary import Glossary, glossary_for
from bot.glossary.enforce import translate_with_terms
from bot.glossary.formats import read_entries
from bot.glossary.lint import Problem, lint_entries
from bot.glossary.suggest import Suggestion, suggest_terms
from bot.run.admit import require_japanese
from bot.run.merge import same_stories
from bot.run.pipeline import analyze_text, place_articles
from bot.run.wiring import Wiring
from bot.run.worker import RunReport, run_once
from bot.sources.folder import FileCandidate, read_bytes, scan_folder
from bot.sources.readers import read_document
from bot.text.clean import normalize
from bot.translate.engine import build_engine, find_model

if TYPE_CHECKING:
    from bot.chat.alerts import Alerts
    from bot.chat.told import Seen
    from bot.service import Reloader, Service, TickHook, TickResult
    from bot.service.heartbeat import Heartbeat
    from bot.service.monitor import Monitor

if TYPE_CHECKING:
    from bot.translate.index import DownloadProgress

Say = Callable[[str], None]
T = TypeVar("T")
# How long the bot's /digest waits for its job before answering that it is on its way.
PUBLISH_WAIT_SECONDS = 60.0


def run_configured(config: Config, use_cache: bool, say: Say) -> RunReport:
    """`once`: check the model first (nothing is touched without one), then run."""
    with Wiring(config, use_cache, say) as wiring, wiring.open() as wired:
        wait = config.schedule.lock_wait_seconds

        def publishes() -> bool:
            if wiring.publishes(wait):
                return True
            say(f"publishing is left to {wiring.publisher()}, which publishes for this state")
            return False

        report = run_once(config, wired.store, wired.glossary, wired.translator,
                          progress=say, publishes=publishes)
    say_report(report, config, say)
    return report


def say_report(report: RunReport, config: Config, say: Say) -> None:
    """What a run did, as lines that match what happened (bot.run.report)."""
    from bot.run.report import report_lines

    for line in report_lines(report, config):
        say(line)


def run_scheduled(config: Config, use_cache: bool, say: Say,
                  monitor: Monitor | None = None, reload: Reloader | None = None) -> None:
    """`run`: the service (bot/service) until SIGTERM or Ctrl-C; a failed job is reported
    in one line and the next trigger runs. `monitor` (--serve's, else one of its own) judges
    the worker for /healthz and systemd's watchdog; with `reload`, SIGHUP reloads the
    configuration."""
    import asyncio

    from bot.service import build_service
    from bot.service.monitor import Monitor

    telegram = config.telegram
    alerts = None
    if telegram.token and telegram.alert_chat_id:
        from bot.chat.alerts import Alerts

        alerts = Alerts()
    hooks: list[TickHook] = []
    monitor = monitor or Monitor(config)
    # The parts built beside the jobs that keep a Config too (health bound, listed feeds).
    users: list[Callable[[Config], None]] = [monitor.use]
    if reload is not None:
        reload = reload.first(_each(users))
    service = build_service(config, use_cache, say, on_tick=_each(hooks), reload=reload)
    if alerts is not None:
        hooks.append(lambda result: _note_tick(config, alerts, result, say,
                                               service.delivery_error))
    users.append(_add_watchers(config, service, monitor, hooks).use)
    if telegram.token:
        from bot.chat import run_chat, service_actions

        actions = service_actions(config, lambda: _publish_now(service), say)
        service.add_companion(lambda stop: run_chat(config, actions, stop))
    if alerts is not None:
        from bot.chat.alerts import run_alerts

        service.add_companion(lambda stop: run_alerts(
            config, alerts, stop, say=say, save=lambda told: _save_told(config, told, say)))
    asyncio.run(service.run())


def _add_watchers(config: Config, service: Service, monitor: Monitor,
                  hooks: list[TickHook]) -> Heartbeat:
    """The monitor (/healthz, /metrics), the heartbeat `status` reads (returned), and
    systemd's notify pings; the hooks list is read at each tick, so adding to it after the
    build counts."""
    import os

    from bot.service.heartbeat import Heartbeat
    from bot.service.sdnotify import run_notify

    monitor.attach(service)
    heartbeat = Heartbeat(config, service)
    hooks += [monitor.on_tick, heartbeat.on_tick]
    service.add_companion(heartbeat.run)
    environ = dict(os.environ)  # read here, at the edge, once
    service.add_companion(lambda stop: run_notify(environ, lambda: monitor.health().ok, stop))
    return heartbeat


def _each(hooks: list[Callable[[T], None]]) -> Callable[[T], None]:
    """One hook that calls every hook of the list (as it is then) in turn."""
    def call(value: T) -> None:
        for hook in hooks:
            hook(value)
    return call


def _note_tick(config: Config, alerts: Alerts, result: TickResult, say: Say,
               delivery_error: str) -> None:
    """Feed what a job did (or else what keeps the delivery lane failing), and the state
    file's standing problems, to the admin alerts."""
    import sqlite3

    import psycopg

    from bot.chat.alerts import load_state

    try:
        state = load_state(config.paths.store)  # a few small reads of a WAL file
    except (KakehashiError, sqlite3.Error, psycopg.Error) as exc:
        say(f"alerts: cannot read {config.paths.state}: {exc}")
        return
    alerts.note_tick(result.report, result.error or delivery_error or None, state)


def _save_told(config: Config, told: Seen, say: Say) -> None:
    """Keep what the admin alerts told in the state file; a failure only means a restart may
    tell it again."""
    import sqlite3

    import psycopg

    from bot.chat.told import save_told

    try:
        save_told(config.paths.store, told)
    except (KakehashiError, sqlite3.Error, psycopg.Error) as exc:
        say(f"alerts: cannot record what was told in {config.paths.state}: {exc}")


def _publish_now(service: Service) -> str:
    """The bot's /digest: ask the service for a digest and say what became of it."""
    import concurrent.futures

    try:
        result = service.digest_now().result(timeout=PUBLISH_WAIT_SECONDS)
    except concurrent.futures.TimeoutError:
        return "asked for a digest: it follows the job in hand"
    if result.error:
        return f"the digest failed: {result.error}"
    if result.report is None or result.report.digest_id is None:
        return "nothing pending: no digest published"
    return f"digest #{result.report.digest_id} published"


def run_demo(config: Config, out: Path, say: Say,
             progress: DownloadProgress | None = None) -> RunReport:
    """`demo`: the bundled seeds into OUT, installing the ja→en Argos model first if missing
    (a model folder of engine "ctranslate2" must be there already). It never sends to
    Telegram, whatever the environment holds: it writes previews."""
    t = config.translation
    try:
        # The configured engine's model (none for remote servers): only an Argos package is
        # installed here.
        find_model(t)
    except ModelMissingError:
        say(f"no {t.from_code}→{t.to_code} model installed; downloading it from the Argos index")
        from bot.translate.index import install_from_index

        try:
            install_from_index(t.from_code, t.to_code, progress)
        except ModelError as exc:
            raise ModelMissingError(
                f"the demo needs the {t.from_code}→{t.to_code} model and could not install it: "
                + str(exc).removeprefix("models: ")
            ) from None
    if config.telegram.token:
        say("the demo writes previews only: TELEGRAM_BOT_TOKEN is not used")
    paths = replace(config.paths, seeds=resource_dir("seeds"), out=out,
                    state=out / "state.sqlite3")
    return run_configured(replace(config, paths=paths, telegram=TelegramConfig()),
                          use_cache=True, say=say)


def translate_text(config: Config, text: str) -> tuple[str, tuple[Term, ...]]:
    """`translate`: one text through the engine with the glossary enforced (no state used)."""
    engine = build_engine(config.translation)
    (rendered,) = translate_with_terms([normalize(text).strip()], glossary_for(config), engine)
    return rendered.english, rendered.terms


def lint_glossary(config: Config, files: list[Path]) -> list[Problem]:
    """`glossary lint`: the given files, or the configured glossary."""
    paths = files or list(config.paths.glossary) or [resource_dir("glossary")]
    return lint_entries(read_entries(paths))


def suggest_glossary(config: Config, folder: Path, min_count: int) -> list[Suggestion]:
    """`glossary suggest`: recurring names in a folder's documents, missing from the glossary."""
    sentences: list[str] = []
    for candidate in scan_folder(folder):
        try:
            analyses = _analyze_file(config, candidate, Glossary())
        except InputError:
            continue  # unreadable files have nothing to suggest; 'status' explains them
        for analysis in analyses:
            sentences.extend(analysis.sentences)
    return suggest_terms(sentences, glossary_for(config), min_count)


def _analyze_file(config: Config, candidate: FileCandidate, glossary: Glossary,
                  japanese_only: bool = False) -> list[Analysis]:
    """Read one file and analyse it as a run would (InputError if it cannot be read)."""
    reading = read_document(candidate.name,
                            read_bytes(candidate, config.sources.max_file_bytes))
    if japanese_only:
        require_japanese(reading.text)
    analyses = analyze_text(reading.text, glossary, config.digest, reading.hard_wrapped)
    return place_articles(analyses, reading.text, reading.source, "")


def inspect_file(config: Config, path: Path) -> dict[str, Any]:
    """How one file is read, in the `inspect --json` contract."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"inspect: cannot read {path}: {exc.strerror}") from None
    candidate = FileCandidate(path, path.name, size)
    try:
        analyses = _analyze_file(config, candidate, glossary_for(config), japanese_only=True)
    except InputError as exc:
        raise InputError(f"inspect: {path}: {exc}") from None
    same = same_stories(config, analyses, datetime.now(UTC))
    return {
        "articles": [
            {
                "title": a.article.title,
                "sentences": list(a.sentences),
                "summary": list(a.summary),
                "terms": [{"ja": t.ja, "en": t.en} for t in a.terms],
                "source": {"site": a.article.source.site, "url": a.article.source.url,
                           "original_title": a.article.source.original_title},
                # What a run would merge it into (digest.merge_threshold), or null.
                "same_story": story,
            }
            for a, story in zip(analyses, same, strict=True)
        ]
    }
