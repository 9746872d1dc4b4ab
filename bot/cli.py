"""The `kakehashi` command: thin commands over the library.

Errors are mapped to one-line messages and exit codes here, in one place. Heavy libraries
(CTranslate2, python-telegram-bot, feedparser) are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot import __version__
from bot.config import Config, load_config, override_paths
from bot.errors import ConfigError, KakehashiError

Handler = Callable[[argparse.Namespace], int]
if TYPE_CHECKING:  # argparse's sub-parser action is generic only to type checkers
    Commands = argparse._SubParsersAction[argparse.ArgumentParser]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, dispatch, map errors to messages. Returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except KakehashiError as exc:
        print(f"kakehashi: error: {_redact(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("kakehashi: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # A bug, not bad input: still one line for the user; the traceback on request.
        if os.environ.get("KAKEHASHI_DEBUG"):
            shown = traceback.format_exc()
            if _redact(shown) == shown:
                raise
            print(_redact(shown), end="", file=sys.stderr)  # the traceback, token blanked
            return 70
        print(f"kakehashi: internal error: {type(exc).__name__}: {_redact(str(exc))} "
              "(run again with KAKEHASHI_DEBUG=1 for the traceback)", file=sys.stderr)
        return 70


def _redact(text: str) -> str:
    """Error text without the bot token: library errors can quote a Bot API URL."""
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "")
    if not token:
        return text
    from bot.publish.telegram import redact

    return redact(text, token)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kakehashi",
        description="Turn Japanese documents and feeds into a bilingual English digest, "
        "translated offline, published to Telegram and RSS.",
        epilog="Run 'kakehashi COMMAND --help' for a command's options. "
        "Configuration: kakehashi.example.toml; secrets: TELEGRAM_BOT_TOKEN.",
    )
    parser.add_argument("--version", action="version", version=f"kakehashi {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    once = _command(commands, "once", _cmd_once,
                    "process everything new in the folder and publish one digest")
    _add_run_options(once)
    demo = _command(commands, "demo", _cmd_demo,
                    "run 'once' on the bundled sample documents into ./out "
                    "(installs the ja→en model first if it is missing)")
    demo.add_argument("--out", type=Path, default=Path("out"), help="output folder (./out)")
    run = _command(commands, "run", _cmd_run,
                   "run 'once' now and then every schedule.interval_minutes until stopped")
    _add_run_options(run)
    status = _command(commands, "status", _cmd_status,
                      "show what the state file holds: documents, skipped files, digests")
    status.add_argument("--state", type=Path, help="state database file")
    status.add_argument("--config", type=Path, help="TOML config file")
    inspect = _command(commands, "inspect", _cmd_inspect,
                       "show how one file is read: articles, sentences, summary, terms")
    inspect.add_argument("file", type=Path, help="a document (.txt, .md, .html)")
    inspect.add_argument("--json", action="store_true", help="machine-readable output")
    inspect.add_argument("--config", type=Path, help="TOML config file")
    release = _command(commands, "release", _cmd_release,
                       "let entries held back by glossary.strict into the next digest, or "
                       "(--messages) send held messages again")
    release.add_argument("guids", nargs="*", metavar="GUID",
                         help="entries to release; with --messages, messages as DIGEST:PART "
                         "(e.g. 3:2), as 'status' lists them")
    release.add_argument("--all", action="store_true",
                         help="release every held entry (with --messages: every held message)")
    release.add_argument("--messages", action="store_true",
                         help="release messages held by telegram.uncertain = \"hold\" (they "
                         "may have reached Telegram already: the next run sends them again)")
    release.add_argument("--state", type=Path, help="state database file")
    release.add_argument("--config", type=Path, help="TOML config file")
    translate = _command(commands, "translate", _cmd_translate,
                         "translate Japanese text with the glossary applied (for checking)")
    translate.add_argument("text", help="Japanese text, e.g. \"ホルゴスを通る中欧班列\"")
    translate.add_argument("--config", type=Path, help="TOML config file")
    _add_models(commands)
    _add_glossary(commands)
    return parser


def _command(commands: Commands, name: str,
             handler: Handler, help_text: str) -> argparse.ArgumentParser:
    description = help_text[0].upper() + help_text[1:] + "."
    sub = commands.add_parser(name, help=help_text, description=description)
    sub.set_defaults(handler=handler)
    return sub


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", type=Path, help="watched folder of input documents (seeds/)")
    parser.add_argument("--out", type=Path, help="output folder for feed.xml and previews (out/)")
    parser.add_argument("--state", type=Path, help="state database file (out/state.sqlite3)")
    parser.add_argument("--config", type=Path, help="TOML config file (./kakehashi.toml)")
    parser.add_argument("--no-cache", action="store_true",
                        help="translate every sentence again, ignoring the translation memory")


def _group(commands: Commands, name: str, help_text: str, description: str) -> Commands:
    """A command with sub-commands; given none, it prints its own help (exit 2)."""
    group = commands.add_parser(name, help=help_text, description=description)

    def show_help(_: argparse.Namespace) -> int:
        group.print_help()
        return 2

    group.set_defaults(handler=show_help)
    return group.add_subparsers(title=f"{name} commands", metavar="ACTION")


def _add_models(commands: Commands) -> None:
    sub = _group(commands, "models", "list, install and remove translation models",
                 "Manage Argos translation packages.")
    listing = _command(sub, "list", _cmd_models_list,
                       "list installed models, and those in the Argos index when it is reachable")
    listing.add_argument("--offline", action="store_true",
                         help="do not ask the online Argos index")
    install = _command(sub, "install", _cmd_models_install,
                       "install a model from the Argos index (FROM TO) or from a file (--file)")
    install.add_argument("codes", nargs="*", metavar="CODE", help="language pair, e.g. 'ja en'")
    install.add_argument("--file", type=Path, help="an .argosmodel file (offline install)")
    remove = _command(sub, "remove", _cmd_models_remove, "remove an installed model")
    remove.add_argument("code", help="package code, e.g. translate-ja_en or ja_en")


def _add_glossary(commands: Commands) -> None:
    sub = _group(commands, "glossary", "check the glossary and find missing terms",
                 "Work with glossary files.")
    lint = _command(sub, "lint", _cmd_glossary_lint,
                    "report duplicates, conflicts, hidden terms and empty fields")
    lint.add_argument("files", nargs="*", type=Path,
                      help="glossary files (.tsv, .csv, .tbx); default: the configured ones")
    lint.add_argument("--config", type=Path, help="TOML config file")
    suggest = _command(sub, "suggest", _cmd_glossary_suggest,
                       "list recurring names in documents that the glossary lacks")
    suggest.add_argument("folder", type=Path, help="a folder of documents")
    suggest.add_argument("--min-count", type=int, default=2, help="how often a name must occur")
    suggest.add_argument("--config", type=Path, help="TOML config file")


# commands ----------------------------------------------------------------------------------

def _config(args: argparse.Namespace) -> Config:
    config = load_config(getattr(args, "config", None), os.environ)
    return override_paths(config, seeds=getattr(args, "seeds", None),
                          out=getattr(args, "out", None), state=getattr(args, "state", None))


def _cmd_once(args: argparse.Namespace) -> int:
    from bot.app import run_configured

    run_configured(_config(args), use_cache=not args.no_cache, say=_say)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from bot.app import run_scheduled

    run_scheduled(_config(args), use_cache=not args.no_cache, say=_say)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from bot.app import run_demo

    run_demo(load_config(None, os.environ), args.out, say=_say)
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from bot.app import status_lines

    for line in status_lines(_config(args)):
        print(line)
    return 0


def _cmd_inspect(args: argparse.Namespace) -> int:
    from bot.app import inspect_file

    report = inspect_file(_config(args), args.file)
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


def _cmd_models_list(args: argparse.Namespace) -> int:
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


def _cmd_models_install(args: argparse.Namespace) -> int:
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


def _cmd_models_remove(args: argparse.Namespace) -> int:
    from bot.translate.packages import remove_package

    info = remove_package(args.code)
    print(f"removed {info.code} {info.version}")
    return 0


def _cmd_release(args: argparse.Namespace) -> int:
    from bot.app import release_entries, release_messages

    if not args.all and not args.guids:
        what = "DIGEST:PART" if args.messages else "GUIDs"
        raise ConfigError(f"release: give {what} (see 'kakehashi status') or --all")
    if args.messages:
        keys = None if args.all else [_message_key(item) for item in args.guids]
        count = release_messages(_config(args), keys)
        print(f"released {count} message(s); the next run sends them again")
        return 0
    count = release_entries(_config(args), None if args.all else args.guids)
    print(f"released {count} entr{'y' if count == 1 else 'ies'}; the next run publishes them")
    return 0


def _message_key(item: str) -> tuple[int, int]:
    digest, _, part = item.partition(":")
    if not (digest.lstrip("#").isdigit() and part.isdigit()):
        raise ConfigError(f"release: {item!r} is not DIGEST:PART (e.g. 3:2)")
    return int(digest.lstrip("#")), int(part)


def _cmd_translate(args: argparse.Namespace) -> int:
    from bot.app import translate_text

    english, terms = translate_text(_config(args), args.text)
    print(english)
    for term in terms:
        print(f"  {term.status}: {term.ja} → {term.en}", file=sys.stderr)
    return 0


def _cmd_glossary_lint(args: argparse.Namespace) -> int:
    from bot.app import lint_glossary

    problems = lint_glossary(_config(args), args.files)
    for problem in problems:
        print(problem)
    errors = [p for p in problems if p.kind != "hidden"]
    print(f"{len(problems)} finding(s), {len(errors)} error(s)", file=sys.stderr)
    return 1 if errors else 0


def _cmd_glossary_suggest(args: argparse.Namespace) -> int:
    from bot.app import suggest_glossary

    for item in suggest_glossary(_config(args), args.folder, args.min_count):
        print(f"{item.count}\t{item.term}\t{item.example}")
    return 0


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
