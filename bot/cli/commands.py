"""The commands behind `kakehashi`: each parses nothing and maps no error (bot.cli.main does both);
it builds the Config from its arguments, calls the library through bot.cli.app, and prints.

Heavy libraries (CTranslate2, python-telegram-bot, feedparser) are imported inside the
commands that need them, so `--help` and `status` start fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.cli import log
from bot.config import Config, load_config, override_paths
from bot.core.errors import ServeError, UsageError

if TYPE_CHECKING:
    from bot.publish.serve import RunningServer
    from bot.service.monitor import Monitor
    from bot.state.records import MessageRef


def config_from(args: argparse.Namespace) -> Config:
    return _logging_from(_read_config(args, os.environ), args)


def _read_config(args: argparse.Namespace, environ: Mapping[str, str]) -> Config:
    """The file and `environ`, with the command-line path flags on top (no logging set)."""
    config = load_config(getattr(args, "config", None), environ)
    return override_paths(config, seeds=getattr(args, "seeds", None),
                          out=getattr(args, "out", None), state=getattr(args, "state", None))


def _logging_from(config: Config, args: argparse.Namespace) -> Config:
    """The [log] section, now that the file is read; --quiet/--verbose win over its level."""
    level = getattr(args, "log_level", None) or config.log.level
    log.configure(log.LEVELS[level], config.log.format, token=config.telegram.token)
    return config


def once(args: argparse.Namespace) -> int:
    from bot.cli.app import run_configured

    run_configured(config_from(args), use_cache=not args.no_cache, say=_say)
    return 0


def run(args: argparse.Namespace) -> int:
    from bot.cli.app import run_scheduled
    from bot.service import Reloader

    config = config_from(args)
    if not args.serve and (args.host or args.port is not None):
        raise UsageError("run: --host and --port need --serve")
    monitor = None
    if args.serve:
        from bot.service.monitor import Monitor

        monitor = Monitor(config)
    server = _start_serving(args, config, monitor) if args.serve else None
    # SIGHUP reads the file again with the environment of the start (a service's environment
    # cannot change), and the same flags, which still win over the file.
    environ = dict(os.environ)
    reload = Reloader(lambda: _read_config(args, environ), lambda new: _logging_from(new, args))
    try:
        run_scheduled(config, use_cache=not args.no_cache, say=_say, monitor=monitor,
                      reload=reload)
    finally:
        if server is not None:
            server.close()
    return 0


def serve(args: argparse.Namespace) -> int:
    from bot.publish.serve import wait_for_stop

    config = config_from(args)
    if not config.paths.out.is_dir():
        raise ServeError(f"serve: no such folder: {config.paths.out} (run 'kakehashi once' "
                         "first, or give --out)")
    with _start_serving(args, config):
        wait_for_stop()
    return 0


def _start_serving(args: argparse.Namespace, config: Config,
                   monitor: Monitor | None = None) -> RunningServer:
    """The HTTP server for OUT/ on the address of the flags, else of the config."""
    from bot.publish.serve import start_server
    from bot.publish.served import private_files

    host = args.host or config.serve.host
    port = config.serve.port if args.port is None else args.port
    server = start_server(config.paths.out, host, port, private_files(config.paths.state),
                          monitor)
    _say(f"serving {config.paths.out} at {server.url}")
    return server


def demo(args: argparse.Namespace) -> int:
    from bot.cli.app import run_demo

    config = _logging_from(load_config(None, os.environ), args)
    run_demo(config, args.out, say=_say, progress=log.download_progress("the model"))
    return 0


def status(args: argparse.Namespace) -> int:
    from bot.state.status import status_data, status_lines

    if args.json:
        print(json.dumps(status_data(config_from(args)), ensure_ascii=False, indent=2))
        return 0
    for line in status_lines(config_from(args)):
        print(line)
    return 0


def inspect(args: argparse.Namespace) -> int:
    from bot.cli.app import inspect_file

    report = inspect_file(config_from(args), args.file)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    for number, article in enumerate(report["articles"], start=1):
        print(f"[{number}] {article['title']}")
        for index, sentence in enumerate(article["sentences"]):
            mark = "*" if index in article["summary"] else " "
            print(f"  {mark} {sentence}")
        for term in article["terms"]:
            print(f"    term: {term['ja']} → {term['en']}")
        if same := article["same_story"]:
            kept = same.get("guid") or f"article [{same['article'] + 1}]"
            print(f"    same story as {kept} 「{same['title']}」 (similarity "
                  f"{same['similarity']:.2f}): a run merges it there")
    return 0


def models_list(args: argparse.Namespace) -> int:
    from bot.translate.packages import installed_packages

    installed = installed_packages()
    if not installed:
        print("no translation models installed")
    for info in installed:
        print(f"{info.code}\t{info.version}\t{info.path}")
    if not args.offline:
        from bot.core.errors import ModelError
        from bot.translate.index import LIST_TIMEOUT_SECONDS, fetch_index

        try:
            available = fetch_index(timeout=LIST_TIMEOUT_SECONDS)
        except ModelError:
            log.LOGGER.warning("the Argos package index is not reachable: available models "
                               "not listed")
            return 0
        for package in available:
            print(f"available\ttranslate-{package.from_code}_{package.to_code}\t{package.version}")
    return 0


def models_install(args: argparse.Namespace) -> int:
    from bot.translate.packages import install_from_file

    if args.file:
        if args.codes:
            raise UsageError("models install: give either FROM TO or --file, not both")
        info = install_from_file(args.file)
    elif len(args.codes) == 2:
        from bot.translate.index import install_from_index

        name = f"translate-{args.codes[0]}_{args.codes[1]}"
        info = install_from_index(args.codes[0], args.codes[1], log.download_progress(name))
    else:
        raise UsageError("models install: give a language pair (ja en) or --file PATH")
    print(f"installed {info.code} {info.version} in {info.path}")
    return 0


def models_remove(args: argparse.Namespace) -> int:
    from bot.translate.packages import remove_package

    info = remove_package(args.code)
    print(f"removed {info.code} {info.version}")
    return 0


def release(args: argparse.Namespace) -> int:
    from bot.state.release import release_entries, release_messages

    what = "DIGEST:PART" if args.messages else "GUIDs"
    if not args.all and not args.guids:
        raise UsageError(f"release: give {what} (see 'kakehashi status') or --all")
    if args.all and args.guids:
        raise UsageError(f"release: give {what} or --all, not both")
    if args.messages:
        keys = None if args.all else [_message_key(item) for item in args.guids]
        count, idle = release_messages(config_from(args), keys)
        _say_not_held("message", idle)
        print(f"released {count} message(s); the next run sends them again" if count
              else "nothing released: no message named is held" if keys
              else "nothing released: no message is held")
        return 0
    count, idle = release_entries(config_from(args), None if args.all else args.guids)
    _say_not_held("entry", idle)
    print(f"released {count} entr{'y' if count == 1 else 'ies'}; the next run publishes them"
          if count else "nothing released: no entry named is held" if args.guids
          else "nothing released: no entry is held")
    return 0


def _say_not_held(kind: str, names: list[str]) -> None:
    # Releasing twice is harmless (the second finds nothing to do): a note, not an error.
    for name in names:
        log.LOGGER.info("%s %s was not held (released already, or never held)", kind, name)


def _message_key(item: str) -> MessageRef:
    from bot.state.records import MessageRef

    try:
        return MessageRef.parse(item)
    except ValueError as exc:
        raise UsageError(f"release: {exc}") from None


def translate(args: argparse.Namespace) -> int:
    from bot.cli.app import translate_text

    if not args.text.strip():
        raise UsageError("translate: give the Japanese text to translate")
    english, terms = translate_text(config_from(args), args.text)
    print(english)
    for term in terms:
        print(f"  {term.status}: {term.ja} → {term.en}", file=sys.stderr)
    return 0


def evaluate(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from bot.run.eval_score import score_table
    from bot.run.evaluate import evaluate_pairs

    if args.limit is not None and args.limit < 1:
        raise UsageError("eval: --limit must be 1 or more")
    scores = evaluate_pairs(config_from(args), args.pairs, args.engine, args.limit, say=_say)
    if args.json:
        print(json.dumps({"engines": [asdict(s) for s in scores]}, ensure_ascii=False,
                         indent=2))
        return 0
    for line in score_table(scores):
        print(line)
    return 0


def glossary_lint(args: argparse.Namespace) -> int:
    from bot.cli.app import lint_glossary

    problems = lint_glossary(config_from(args), args.files)
    for problem in problems:
        print(problem)
    errors = [p for p in problems if p.kind != "hidden"]
    print(f"{len(problems)} finding(s), {len(errors)} error(s)", file=sys.stderr)
    return 1 if errors else 0


def glossary_suggest(args: argparse.Namespace) -> int:
    from bot.cli.app import suggest_glossary

    if args.min_count < 1:
        raise UsageError("glossary suggest: --min-count must be 1 or more")
    for item in suggest_glossary(config_from(args), args.folder, args.min_count):
        print(f"{item.count}\t{item.term}\t{item.example}")
    return 0


# Library messages (progress, warnings, a run's report) become log lines.
_say = log.say
