"""The `kakehashi` command: its arguments, and its errors mapped to messages and exit codes.

The commands themselves are in bot.cli.commands, thin calls over the library. Errors are mapped
to one-line messages and exit codes here, in one place. Heavy libraries (CTranslate2,
python-telegram-bot, feedparser) are imported only by the commands that need them.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot import __version__
from bot.cli import commands as cmd
from bot.core.errors import KakehashiError

Handler = Callable[[argparse.Namespace], int]
ENGINES = ("argos", "ctranslate2", "libretranslate")  # translation.engine's values
if TYPE_CHECKING:  # argparse's sub-parser action is generic only to type checkers
    Commands = argparse._SubParsersAction[argparse.ArgumentParser]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, dispatch, map errors to messages. Returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "quiet", False) and getattr(args, "verbose", False):
        parser.error("--quiet and --verbose cannot be used together")
    args.log_level = "warning" if getattr(args, "quiet", False) else (
        "debug" if getattr(args, "verbose", False) else None)
    from bot.cli import log

    log.configure(log.LEVELS[args.log_level or "info"],
                  token=os.environ.get("TELEGRAM_BOT_TOKEN", ""))
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        code = handler(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except BrokenPipeError:
        return _closed_pipe()
    except KakehashiError as exc:
        print(f"kakehashi: error: {_redact(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("kakehashi: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        from bot.state.opening import driver_error

        if (error := driver_error(exc)) is not None:  # the PostgreSQL state: not a bug
            print(f"kakehashi: error: {_redact(str(error))}", file=sys.stderr)
            return error.exit_code
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


def _closed_pipe() -> int:
    """The reader of our stdout went away (`kakehashi status | head -1`): stop quietly.

    Whatever is still buffered goes to /dev/null, so the interpreter's final flush cannot
    fail and print "Exception ignored". The exit code is 141 (128 + SIGPIPE), what a shell
    reports for a C tool stopped the same way, so `set -o pipefail` scripts see no difference.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 141


def _redact(text: str) -> str:
    """Error text without the bot token (library errors can quote a Bot API URL) and without
    credentials in URLs."""
    from bot.text.urls import without_credentials

    text = without_credentials(text)
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "")
    if not token:
        return text
    from bot.core.redact import redact

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
    _add_verbosity(parser)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    once = _command(commands, "once", cmd.once,
                    "process everything new in the folder and publish one digest")
    _add_run_options(once)
    demo = _command(commands, "demo", cmd.demo,
                    "run 'once' on the bundled sample documents into ./out "
                    "(installs the ja→en model first if it is missing)")
    demo.add_argument("--out", type=Path, default=Path("out"), help="output folder (./out)")
    run = _command(commands, "run", cmd.run,
                   "run as a service: watch the folder and feeds, publish digests as "
                   "[schedule] says, until SIGTERM or Ctrl-C")
    _add_run_options(run)
    run.add_argument("--serve", action="store_true",
                     help="also serve OUT/ over HTTP from this process (as 'kakehashi serve')")
    _add_address_options(run, " with --serve")
    serve = _command(commands, "serve", cmd.serve,
                     "serve OUT/ (the feed and the web archive) over HTTP, read-only")
    _add_address_options(serve, "")
    serve.add_argument("--out", type=Path, help="the folder to serve (out/)")
    serve.add_argument("--config", type=Path, help="TOML config file (./kakehashi.toml)")
    status = _command(commands, "status", cmd.status,
                      "show what the state file holds: documents, skipped files, digests")
    status.add_argument("--state", help="state database file, or a postgresql:// URL")
    status.add_argument("--config", type=Path, help="TOML config file")
    status.add_argument("--json", action="store_true",
                        help="machine-readable: totals and each edition's standing")
    inspect = _command(commands, "inspect", cmd.inspect,
                       "show how one file is read: articles, sentences, summary, terms")
    inspect.add_argument("file", type=Path, help="a document (.txt, .md, .html, .pdf)")
    inspect.add_argument("--json", action="store_true", help="machine-readable output")
    inspect.add_argument("--config", type=Path, help="TOML config file")
    release = _command(commands, "release", cmd.release,
                       "let entries held back by glossary.strict into the next digest, or "
                       "(--messages) send held messages again")
    release.add_argument("guids", nargs="*", metavar="GUID",
                         help="entries to release; with --messages, messages as 'status' "
                         "lists them: DIGEST:PART (e.g. 3:2) on the Telegram channel, "
                         "CHANNEL:DIGEST:PART on another")
    release.add_argument("--all", action="store_true",
                         help="release every held entry (with --messages: every held message)")
    release.add_argument("--messages", action="store_true",
                         help="release messages held by telegram.uncertain = \"hold\" (they "
                         "may have reached Telegram already: the next run sends them again)")
    release.add_argument("--state", help="state database file, or a postgresql:// URL")
    release.add_argument("--config", type=Path, help="TOML config file")
    translate = _command(commands, "translate", cmd.translate,
                         "translate Japanese text with the glossary applied (for checking)")
    translate.add_argument("text", help="Japanese text, e.g. \"ホルゴスを通る中欧班列\"")
    translate.add_argument("--config", type=Path, help="TOML config file")
    _add_eval(commands)
    _add_models(commands)
    _add_glossary(commands)
    return parser


def _add_eval(commands: Commands) -> None:
    evaluate = _command(commands, "eval", cmd.evaluate,
                        "score translation engines on the editors' own past translations "
                        "(chrF, BLEU, glossary terms, numbers, speed)")
    evaluate.description = (
        "Translate the Japanese of PAIRS as the pipeline does (glossary enforced and verified) "
        "and score the English against the editors' own. The translation memory is never "
        "used: every sentence goes to the model, so the scores and the speed are the "
        "engine's.")
    evaluate.add_argument("pairs", type=Path, metavar="PAIRS",
                          help="a TSV file (Japanese<TAB>English per line; blank lines and "
                          "# comments skipped), or a folder of line-aligned NAME.ja.txt + "
                          "NAME.en.txt files")
    evaluate.add_argument("--engine", action="append", choices=ENGINES, default=[],
                          help="an engine to score, with the config's settings for it "
                          "(repeat for several side by side; default: translation.engine)")
    evaluate.add_argument("--limit", type=int, metavar="N", help="only the first N pairs")
    evaluate.add_argument("--json", action="store_true", help="machine-readable output")
    evaluate.add_argument("--config", type=Path, help="TOML config file")


def _add_verbosity(parser: argparse.ArgumentParser) -> None:
    """-q/-v on the top parser and on every command: `kakehashi -q once` = `kakehashi once -q`.
    SUPPRESS: a command's parser, given neither, must not reset what the top one saw."""
    parser.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="log warnings and errors only")
    parser.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="log debug detail too, and the libraries' own logs")


def _command(commands: Commands, name: str,
             handler: Handler, help_text: str) -> argparse.ArgumentParser:
    description = help_text[0].upper() + help_text[1:] + "."
    sub = commands.add_parser(name, help=help_text, description=description)
    _add_verbosity(sub)
    sub.set_defaults(handler=handler)
    return sub


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", type=Path, help="watched folder of input documents (seeds/)")
    parser.add_argument("--out", type=Path, help="output folder for feed.xml and previews (out/)")
    parser.add_argument("--state", help="state database file (out/state.sqlite3), or a "
                        "postgresql:// URL")
    parser.add_argument("--config", type=Path, help="TOML config file (./kakehashi.toml)")
    parser.add_argument("--no-cache", action="store_true",
                        help="translate every sentence again, ignoring the translation memory")


def _add_address_options(parser: argparse.ArgumentParser, when: str) -> None:
    parser.add_argument("--host", help=f"address to listen on{when} (serve.host, 127.0.0.1)")
    parser.add_argument("--port", type=_port, help=f"port to listen on{when} (serve.port, 8080; "
                        "0 = any free port)")


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"not a port number (0-65535): {text!r}")
    return int(text)


def _group(commands: Commands, name: str, help_text: str, description: str) -> Commands:
    """A command with sub-commands; given none, it prints its own help (exit 2)."""
    group = commands.add_parser(name, help=help_text, description=description)
    _add_verbosity(group)

    def show_help(_: argparse.Namespace) -> int:
        group.print_help()
        return 2

    group.set_defaults(handler=show_help)
    return group.add_subparsers(title=f"{name} commands", metavar="ACTION")


def _add_models(commands: Commands) -> None:
    sub = _group(commands, "models", "list, install and remove translation models",
                 "Manage Argos translation packages.")
    listing = _command(sub, "list", cmd.models_list,
                       "list installed models, and those in the Argos index when it is reachable")
    listing.add_argument("--offline", action="store_true",
                         help="do not ask the online Argos index")
    install = _command(sub, "install", cmd.models_install,
                       "install a model from the Argos index (FROM TO) or from a file (--file)")
    install.add_argument("codes", nargs="*", metavar="CODE", help="language pair, e.g. 'ja en'")
    install.add_argument("--file", type=Path, help="an .argosmodel file (offline install)")
    remove = _command(sub, "remove", cmd.models_remove, "remove an installed model")
    remove.add_argument("code", help="package code, e.g. translate-ja_en or ja_en")


def _add_glossary(commands: Commands) -> None:
    sub = _group(commands, "glossary", "check the glossary and find missing terms",
                 "Work with glossary files.")
    lint = _command(sub, "lint", cmd.glossary_lint,
                    "report duplicates, conflicts, hidden terms and empty fields")
    lint.add_argument("files", nargs="*", type=Path,
                      help="glossary files (.tsv, .csv, .tbx); default: the configured ones")
    lint.add_argument("--config", type=Path, help="TOML config file")
    suggest = _command(sub, "suggest", cmd.glossary_suggest,
                       "list recurring names in documents that the glossary lacks")
    suggest.add_argument("folder", type=Path, help="a folder of documents")
    suggest.add_argument("--min-count", type=int, default=2, help="how often a name must occur")
    suggest.add_argument("--config", type=Path, help="TOML config file")
