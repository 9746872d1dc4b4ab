"""The configuration's sections: frozen dataclasses whose defaults are the documented
defaults (kakehashi.example.toml shows each). Read and checked by bot.config."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class PathsConfig:
    seeds: Path = Path("seeds")
    out: Path = Path("out")
    state: Path = Path("out/state.sqlite3")
    # The PostgreSQL URL when paths.state is one ("": the state is the SQLite file `state`,
    # else `state` is the local name its heartbeat and send lock use: bot/core/stateurl.py).
    database: str = ""

    @property
    def store(self) -> Path | str:
        """What Store.open takes: the state file, or the PostgreSQL URL."""
        return self.database or self.state
    glossary: tuple[Path, ...] = ()
    # The Pagefind binary that indexes the web archive for search (bot/publish/search.py);
    # None: the one installed with Kakehashi (pagefind-bin-extended).
    pagefind: Path | None = None


@dataclass(frozen=True)
class TranslationConfig:
    # "argos": the installed Argos package of the pair; "ctranslate2": the CTranslate2 model
    # folder `model_dir`; "libretranslate": the LibreTranslate servers `servers`.
    engine: str = "argos"
    model_dir: str = ""
    servers: tuple[str, ...] = ()
    # "auto" runs on CUDA when CTranslate2 sees a GPU, else on the CPU.
    device: str = "auto"
    from_code: str = "ja"
    to_code: str = "en"
    beam_size: int = 2
    compute_type: str = "int8"
    # The compute type on a GPU (device "cuda", or "auto" finding one); compute_type is the CPU's.
    compute_type_cuda: str = "float16"
    # 0 = fit the cores: one thread per core spread over replicas (DESIGN: replicas beat threads).
    inter_threads: int = 0
    intra_threads: int = 0
    # One batch per replica, sorted by length. "tokens": max_batch_size counts padded pieces,
    # "examples": sentences. Measured at the real model's shape on 2 cores (bench/README.md,
    # engine table): the settings ran at about one rate there; memory differs: 32 sentences
    # per batch peaked at ~750 MB, 1024 pieces at ~460 MB, and a batch counted in pieces stays
    # bounded however long the sentences are. Low-memory machines: 512 pieces (~315 MB).
    batch_type: str = "tokens"
    max_batch_size: int = 1024
    # 0 = automatic: at most 3x the input's pieces + 10 (stops runaway output).
    max_output_tokens: int = 0
    cache: bool = True


@dataclass(frozen=True)
class SourcesConfig:
    max_file_bytes: int = 20_000_000
    # A file is read once its size and mtime have not changed for this long (half-written
    # copies and downloads are left for the next run).
    settle_seconds: float = 2.0
    feeds: tuple[str, ...] = ()
    feed_timeout_seconds: float = 20.0
    max_feed_bytes: int = 5_000_000
    # The zone of feed dates written without one (dates with an offset keep theirs): the
    # sources are Japanese, and a Japanese site's bare time is Japan time.
    timezone: str = "Asia/Tokyo"
    # Symbolic links in the watched folder are skipped (and listed) unless this is on; then
    # they are read wherever they point, loops and dangling links still listed.
    follow_symlinks: bool = False
    # `kakehashi run` polls each feed this often, or as often as `feed_intervals` says for
    # that feed ([sources.feed_intervals] in TOML: "URL" = minutes), since a wire service and
    # a monthly newsletter differ. From its third failure in a row, a feed backs off from its
    # interval, doubling.
    feed_interval_minutes: float = 30.0
    feed_intervals: tuple[tuple[str, float], ...] = ()
    # Feeds whose entries are read from their pages ([sources.full_text] in TOML: "URL" =
    # true): most carry a headline and a teaser, and the story is on the page. Each new
    # entry's page is fetched once (robots.txt honoured, conditional GET, at most one request
    # per host every page_host_interval_seconds); a page that cannot be read leaves the teaser.
    full_text: tuple[tuple[str, bool], ...] = ()
    page_timeout_seconds: float = 20.0
    max_page_bytes: int = 5_000_000
    page_host_interval_seconds: float = 1.0

    def full_text_of(self, url: str) -> bool:
        """Whether the entries of the feed at `url` are read from their pages."""
        return dict(self.full_text).get(url, False)

    def interval_of(self, url: str) -> float:
        """Minutes between two polls of the feed at `url`."""
        return dict(self.feed_intervals).get(url, self.feed_interval_minutes)


@dataclass(frozen=True)
class DigestConfig:
    summary_sentences: int = 3
    # Japanese characters per article's summary: with its English (2-3x as long), both
    # titles and the source line, one article fits one Telegram message (4096).
    summary_chars: int = 500
    # The editors' checks on an entry (a number missing in the translation, a glossary term
    # not rendered as agreed) are for editors: folded away on the archive's pages (and the
    # terms listed by `status` and alerts). True also shows them to subscribers, in the
    # Telegram messages and the feed's items.
    show_checks: bool = False
    # Near-duplicate articles (a reprint, a release and the report on it) become one entry
    # listing every source, when their similarity (bot/text/neardup.py) reaches this; 0: off.
    # Chosen on bench/neardup.py's labelled pairs.
    merge_threshold: float = 0.6
    # Articles stored this many days back are compared too (0: only those of one run).
    merge_window_days: int = 3


@dataclass(frozen=True)
class GlossaryConfig:
    # Hold back entries with a term that could not be rendered as agreed, until released.
    strict: bool = False


@dataclass(frozen=True)
class FeedConfig:
    title: str = "Kakehashi digest"
    description: str = "English digest of Japanese-language reporting on China and Central Asia"
    # Where OUT/ is served: the feed's self link, the link of items without a source URL (their
    # page in the web archive), and the article links in Telegram messages (a loopback host is
    # never given to subscribers, who cannot open it).
    site_url: str = "http://localhost:8080/"
    max_items: int = 200
    # The archive's search page and its Pagefind index (rebuilt after each publish that wrote
    # an article page: about a second of CPU for Japanese). false: neither, and no page links
    # to search.html.
    search: bool = True


@dataclass(frozen=True)
class TelegramConfig:
    token: str = field(default="", repr=False)
    chat_id: str = ""
    api_base_url: str = ""
    # A message that may or may not have arrived (a send that timed out, or a process that
    # stopped between the send and its record): "resend" it (at-least-once: it may appear
    # twice) or "hold" it until `kakehashi release --messages` (never a duplicate).
    uncertain: str = "resend"
    # Chats whose /status, /digest and /release the bot obeys: numeric chat ids (a private
    # chat's id is its user's id). Names are not accepted: a chat's id is what each message
    # carries, and it never changes.
    admin_ids: tuple[str, ...] = ()
    # Empty: the bot fetches messages by long polling. Set: the public https URL Telegram posts
    # them to (usually a reverse proxy that terminates TLS in front of listen host:port).
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    # Transient failures (5xx answers, network errors, timeouts as `uncertain` allows) are
    # retried in the run, waiting base, 2 x base ... up to max (with jitter), until the budget,
    # counted from the run's first such failure, is spent; the rest waits for the next run.
    retry_budget_seconds: float = 90.0
    retry_base_seconds: float = 1.0
    retry_max_seconds: float = 30.0
    # Where alerts go (skipped files, failing feeds, held messages and entries, errors, a
    # stopped worker): an admin chat, never the public one; "" = no alerts. At most one
    # message per interval, however many events it holds.
    alert_chat_id: str = ""
    alert_interval_seconds: float = 300.0


@dataclass(frozen=True)
class ScheduleConfig:
    # `kakehashi run`: a full rescan of the folder this often, the safety net behind the
    # file events (a missed event, a network mount).
    interval_minutes: float = 30.0
    # How long a job waits for another process working on the same state file.
    lock_wait_seconds: float = 600.0
    # "immediate": a digest as soon as new articles are ready; "scheduled": new articles
    # wait in the store until one of digest_times ("HH:MM" or "HH:MM:SS" in `timezone`).
    mode: str = "immediate"
    digest_times: tuple[str, ...] = ()
    timezone: str = "UTC"
    # A digest time missed by up to this much (the machine slept, the worker was stopped)
    # is still published; later than that, its articles wait for the next time.
    grace_minutes: float = 60.0
    # How the folder is watched: "auto" (file events, polling on network file systems or
    # when events are unavailable), "events" or "poll" (every poll_seconds).
    watch: str = "auto"
    poll_seconds: float = 5.0
    # A drop is processed once the folder has been quiet this long (a copy of many files
    # makes one digest, not one per file).
    debounce_seconds: float = 3.0


@dataclass(frozen=True)
class ServeConfig:
    # `kakehashi serve` and `run --serve`: the address OUT/ is served on. Loopback by default:
    # put a reverse proxy (TLS) in front, or set "0.0.0.0" to face the network directly.
    host: str = "127.0.0.1"
    port: int = 8080
    # /healthz answers 503 once no job has finished for this long (minutes); 0: the larger of
    # 15 min and 3x the longest job interval (a rescan or a feed poll always ends a job).
    health_minutes: float = 0.0


@dataclass(frozen=True)
class LogConfig:
    # debug | info | warning | error; --verbose (debug) and --quiet (warning) override it.
    level: str = "info"
    # "text": `2026-11-26T10:00:00Z INFO message`; "json": one object per line.
    format: str = "text"


@dataclass(frozen=True)
class EditionConfig:
    """One `[[editions]]` table: a channel, feed and archive section of its own, fed by the
    articles its filter lets through (README, "Editions"). The schedule keys default to
    `[schedule]`'s, filled in when the file is read."""

    name: str = ""
    chat_id: str = ""
    # Under OUT/; "" = NAME/feed.xml, beside the edition's archive pages (their links).
    feed_file: str = ""
    title: str = ""  # "" = "<feed.title> · NAME"
    mode: str = ""
    digest_times: tuple[str, ...] = ()
    timezone: str = ""
    # Any of `keywords` in the article's Japanese or English (a glossary term's agreed
    # rendering counts as the term), from any of `sources` (file-name globs, feed URLs), and
    # none of `exclude_keywords`; an empty list lets everything through.
    keywords: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    paths: PathsConfig = field(default_factory=PathsConfig)
    translation: TranslationConfig = field(default_factory=TranslationConfig)
    sources: SourcesConfig = field(default_factory=SourcesConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)
    glossary: GlossaryConfig = field(default_factory=GlossaryConfig)
    feed: FeedConfig = field(default_factory=FeedConfig)
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    log: LogConfig = field(default_factory=LogConfig)
    # Besides the default edition ([telegram], [feed], [schedule]): bot/config/editions.py.
    editions: tuple[EditionConfig, ...] = ()
