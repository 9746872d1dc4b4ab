"""The commands behind `kakehashi`: each parses nothing and maps no error (bot.cli does both);
it builds the Config from its arguments, calls the library through bot.app, and prints.

Heavy libraries (CTranslate2, python-telegram-bot, feedparser) are imported inside the
commands that need them, so `--help` and `status` start fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING

from bot.config import Config, load_config, override_paths
from bot.errors import ConfigError, KakehashiError, ServeError

if TYPE_CHECKING:
    from bot.publish.serve import RunningServer


def config_from(args: argparse.Namespace) -> Config:
    config = load_config(getattr(args, "config", None), os.environ)
    return override_paths(config, seeds=getattr(args, "seeds", None),
                          out=getattr(args, "out", None), state=getattr(args, "state", None))


def once(args: argparse.Namespace) -> int:
    from bot.app import run_configured

    run_configured(config_from(args), use_cache=not args.no_cache, say=_say)
    return 0


def run(args: argparse.Namespace) -> int:
    from bot.app import run_scheduled

    config = config_from(args)
    if not args.serve and (args.host or args.port is not None):
        raise ConfigError("run: --host and --port need --serve")
    server = _start_serving(args, config) if args.serve else None
    try:
        run_scheduled(config, use_cache=not args.no_cache, say=_say)
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


def _start_serving(args: argparse.Namespace, config: Config) -> RunningServer:
    """The HTTP server for OUT/ on the address of the flags, else of the config."""
    from bot.publish.serve import start_server
    from bot.publish.served import private_files

    host = args.host or config.serve.host
    port = config.serve.port if args.port is None else args.port
    server = start_server(config.paths.out, host, port, private_files(config.paths.state))
    _say(f"serving {config.paths.out} at {server.url}")
    return server


def demo(args: argparse.Namespace) -> int:
    from bot.app import run_demo

    run_demo(load_config(None, os.environ), args.out, say=_say)
    return 0


def status(args: argparse.Namespace) -> int:
    from bot.app import status_lines

    for line in status_lines(config_from(args)):
        print(line)
    return 0


def inspect(args: argparse.Namespace) -> int:
    from bot.app import inspect_file

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
    return 0


def models_list(args: argparse.Namespace) -> int:
    from bot.translate.packages import installed_packages

    installed = installed_packages()
    if not installed:
        print("no translation models installed")
    for info in installed:
        print(f"{info.code}\t{info.version}\t{info.path}")
    if not args.offline:
        from bot.errors import ModelError
        from bot.translate.index import LIST_TIMEOUT_SECONDS, fetch_index

        try:
            available = fetch_index(timeout=LIST_TIMEOUT_SECONDS)
        except ModelError:
            print("(the Argos package index is not reachable: available models not listed)",
                  file=sys.stderr)
            return 0
        for package in available:
            print(f"available\ttranslate-{package.from_code}_{package.to_code}\t{package.version}")
    return 0


def models_install(args: argparse.Namespace) -> int:
    from bot.translate.packages import install_from_file

    if args.file:
        if args.codes:
            raise KakehashiError("models install: give either FROM TO or --file, not both")
        info = install_from_file(args.file)
    elif len(args.codes) == 2:
        from bot.translate.index import install_from_index

        info = install_from_index(args.codes[0], args.codes[1])
    else:
        raise KakehashiError("models install: give a language pair (ja en) or --file PATH")
    print(f"installed {info.code} {info.version} in {info.path}")
    return 0


def models_remove(args: argparse.Namespace) -> int:
    from bot.translate.packages import remove_package

    info = remove_package(args.code)
    print(f"removed {info.code} {info.version}")
    return 0


def release(args: argparse.Namespace) -> int:
    from bot.app import release_entries, release_messages

    if not args.all and not args.guids:
        what = "DIGEST:PART" if args.messages else "GUIDs"
        raise ConfigError(f"release: give {what} (see 'kakehashi status') or --all")
    if args.messages:
        keys = None if args.all else [_message_key(item) for item in args.guids]
        count = release_messages(config_from(args), keys)
        print(f"released {count} message(s); the next run sends them again")
        return 0
    count = release_entries(config_from(args), None if args.all else args.guids)
    print(f"released {count} entr{'y' if count == 1 else 'ies'}; the next run publishes them")
    return 0


def _message_key(item: str) -> tuple[int, int]:
    digest, _, part = item.partition(":")
    if not (digest.lstrip("#").isdigit() and part.isdigit()):
        raise ConfigError(f"release: {item!r} is not DIGEST:PART (e.g. 3:2)")
    return int(digest.lstrip("#")), int(part)


def translate(args: argparse.Namespace) -> int:
    from bot.app import translate_text

    english, terms = translate_text(config_from(args), args.text)
    print(english)
    for term in terms:
        print(f"  {term.status}: {term.ja} → {term.en}", file=sys.stderr)
    return 0


def glossary_lint(args: argparse.Namespace) -> int:
    from bot.app import lint_glossary

    problems = lint_glossary(config_from(args), args.files)
    for problem in problems:
        print(problem)
    errors = [p for p in problems if p.kind != "hidden"]
    print(f"{len(problems)} finding(s), {len(errors)} error(s)", file=sys.stderr)
    return 1 if errors else 0


def glossary_suggest(args: argparse.Namespace) -> int:
    from bot.app import suggest_glossary

    for item in suggest_glossary(config_from(args), args.folder, args.min_count):
        print(f"{item.count}\t{item.term}\t{item.example}")
    return 0


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
