"""What a file in the watched folder can do to a run, through the real CLI and tiny model:
nothing it holds, how it is named or what kind of entry it is may break the outputs."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.publish.preview import preview_body
from tests.conftest import run_cli
from tests.support.pages import parse_html5
from tests.support.telegram_html import telegram_html_problems
from tests.test_pipeline import check_feed, previews

# Our own articles, several genres; 【…】 headers make each its own article in one file.
ARTICLES = {
    "logistics": "【物流】国境の貨物駅で積み替え時間が短縮\n国境に近い貨物駅では、新しいクレーンの"
                 "導入により、コンテナの積み替えにかかる時間が従来の半分になった。駅の担当者による"
                 "と、来月からは夜間の作業も始まる予定だという。",
    "banking": "【経済】地方銀行が中小企業向け融資を拡大\n地方の銀行各行は、輸出に取り組む中小企業"
               "への融資枠を広げると発表した。為替の変動に備えるための相談窓口も新たに設ける。",
    "culture": "【文化】古い隊商宿を博物館として公開\n砂漠の交易路に残る古い隊商宿が修復を終え、"
               "今月から博物館として一般に公開された。展示では当時の商人が使った秤や貨幣が紹介"
               "されている。",
    "science": "【科学】高山の氷河で観測網を強化\n研究者たちは、山岳地帯の氷河が縮む速さを正確に"
               "測るため、新たに十か所の観測点を設置した。集めたデータは近隣諸国とも共有される。",
    "sport": "【スポーツ】草原の国際馬術大会に過去最多の参加者\n毎年夏に開かれる国際馬術大会には、"
             "今年は十二か国から三百人を超える騎手が集まった。大会は五日間にわたって行われる。",
    "farming": "【農業】乾燥に強い小麦の試験栽培が始まる\n農業試験場は、雨の少ない地域でも育つ"
               "新しい小麦の品種を選び、春から三つの農場で試験栽培を始めた。収量は秋に公表される。",
    "health": "【医療】山間部の診療所に遠隔診療を導入\n山間部にある診療所では、都市の病院の医師と"
              "画面越しに相談できる遠隔診療の仕組みが導入された。患者の移動の負担が大きく減る。",
    "energy": "【エネルギー】風力発電所の建設が完了\n強い風が吹く峠の近くで進められていた風力発電所"
              "の建設が完了し、今週から送電が始まった。周辺の町の電力の多くを賄う見込みだ。",
}
SECRET = ("【機密】監視フォルダーの外の文書\nこの文書は監視フォルダーの外に置かれた機密の内容"
          "であり、決して公開されてはならない。")


def title(key: str) -> str:
    return ARTICLES[key].split("\n", 1)[0].split("】", 1)[1]


def once(tmp_path: Path, *extra: str) -> tuple[int, str]:
    result = run_cli("once", "--seeds", str(tmp_path / "seeds"), "--out", str(tmp_path / "out"),
                     "--state", str(tmp_path / "state.sqlite3"), *extra)
    return result.returncode, result.stderr


def status(tmp_path: Path) -> str:
    result = run_cli("status", "--state", str(tmp_path / "state.sqlite3"))
    assert result.returncode == 0, result.stderr
    return result.stdout


def published_text(tmp_path: Path) -> str:
    """Everything a reader can see: the feed, the Telegram previews and the web archive,
    checked as valid."""
    out = tmp_path / "out"
    check_feed(out / "feed.xml")
    messages = [preview_body(p.read_text(encoding="utf-8")) for p in previews(out)]
    for message in messages:
        assert telegram_html_problems(message) == [], message
    pages = [out / "index.html", *(out / "digests").glob("*.html"),
             *(out / "articles").glob("*.html")]
    for page in pages:
        parse_html5(page)
    return ((out / "feed.xml").read_text(encoding="utf-8") + "".join(messages)
            + "".join(p.read_text(encoding="utf-8") for p in pages))


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_control_characters_in_a_file_never_reach_the_feed_or_telegram(tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    dirty = ARTICLES["logistics"].replace("国境", "国\x1b[31m境", 1).replace("駅", "駅\x07", 1)
    dirty = dirty.replace("導入", "導\x00入\x0c\x85\u202e").replace("来月", "来\x7f\x9b月")
    (seeds / "dirty.txt").write_text(dirty, encoding="utf-8")
    (seeds / "clean.md").write_text(ARTICLES["banking"], encoding="utf-8")

    code, stderr = once(tmp_path)

    assert code == 0, stderr
    seen = published_text(tmp_path)
    assert title("banking") in seen
    assert "国境の貨物駅" in seen  # the text around the removed characters is kept
    for char in "\x1b\x07\x00\x0c\x85\u202e\x7f\x9b":
        assert char not in seen, repr(char)


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_name_that_is_not_utf8_is_read_and_blocks_nothing(tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "good.txt").write_text(ARTICLES["logistics"], encoding="utf-8")
    with open(os.path.join(os.fsencode(seeds), b"bad\xff.md"), "wb") as fh:
        fh.write(ARTICLES["banking"].encode("utf-8"))

    code, stderr = once(tmp_path)

    assert code == 0, stderr
    assert "bad\\xff.md" in stderr  # named, escaped, in the progress line
    seen = published_text(tmp_path)
    assert title("logistics") in seen and title("banking") in seen
    code, stderr = once(tmp_path)
    assert code == 0 and "nothing new" in stderr, stderr


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_link_to_a_file_outside_the_folder_is_listed_not_published(tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    (seeds / "good.txt").write_text(ARTICLES["culture"], encoding="utf-8")
    (seeds / "link.txt").symlink_to(tmp_path / "secret.txt")

    code, stderr = once(tmp_path)

    assert code == 0, stderr
    assert "skipped link.txt: symbolic link: not followed" in stderr
    seen = published_text(tmp_path)
    assert title("culture") in seen and "機密" not in seen
    assert "link.txt" in status(tmp_path)


def make_deep(top: Path, levels: int) -> Path:
    """`levels` nested folders, made one by one (os.makedirs recurses once per level)."""
    folder = top
    folder.mkdir()
    for _ in range(levels - 1):
        folder = folder / "d"
        folder.mkdir()
    return folder


@pytest.fixture(autouse=True)
def _remove_deep_folders(tmp_path: Path) -> Iterator[None]:
    """pytest removes old temp folders recursively, which fails 1,200 levels down."""
    yield
    for top in tmp_path.glob("seeds/d"):
        folder = top
        while (folder / "d").is_dir():
            folder = folder / "d"
        while folder != top.parent:
            for child in folder.iterdir():
                child.unlink()
            folder.rmdir()
            folder = folder.parent


def make_trouble(tmp_path: Path) -> Path:
    """A folder with every kind of entry a file system allows, and the good files among them."""
    seeds, outside = tmp_path / "seeds", tmp_path / "outside"
    seeds.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    names = {
        "logistics": b"good.txt",
        "banking": b"bad\xff.md",
        "culture": "報告書".encode("shift_jis") + b".txt",
        "science": b"two\nlines.txt",
        "sport": "ctl\x1b[1m\u202eevil.md".encode(),
        "farming": ("長" * 80 + ".txt").encode(),
    }
    for key, name in names.items():
        with open(os.path.join(os.fsencode(seeds), name), "wb") as fh:
            fh.write(ARTICLES[key].encode("utf-8"))
    (seeds / "x.txt").mkdir()  # a folder named like a file is a folder
    (seeds / "x.txt" / "inside.txt").write_text(ARTICLES["health"], encoding="utf-8")
    deep = make_deep(seeds / "d", 1200)
    (deep / "deepest.txt").write_text("【深部】届かない文書\n深い階層の文書である。",
                                      encoding="utf-8")
    (seeds / "d" / "d" / "near.txt").write_text(ARTICLES["energy"], encoding="utf-8")
    (seeds / "link.txt").symlink_to(outside / "secret.txt")
    (seeds / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    (seeds / "loop.txt").symlink_to(seeds / "loop.txt")
    os.mkfifo(seeds / "pipe.txt")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(seeds / "sock.txt"))
    listener.close()
    return seeds


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_folder_of_troublesome_entries_publishes_the_good_files_and_lists_the_rest(
        tmp_path: Path):
    make_trouble(tmp_path)

    code, stderr = once(tmp_path)

    assert code == 0, stderr
    seen = published_text(tmp_path)
    for key in ("logistics", "banking", "culture", "science", "sport", "farming", "health",
                "energy"):
        assert title(key) in seen, key
    assert "機密" not in seen and "届かない" not in seen
    for state_file in tmp_path.glob("state.sqlite3*"):
        assert "機密".encode() not in state_file.read_bytes()
    listed = status(tmp_path)
    for name, reason in [("link.txt", "symbolic link: not followed"),
                         ("dangling.txt", "symbolic link: not followed"),
                         ("loop.txt", "symbolic link: not followed"),
                         ("pipe.txt", "named pipe (FIFO), not a regular file"),
                         ("sock.txt", "socket, not a regular file"),
                         ("d/d/d/d", "folder nested deeper than 64 levels: not read")]:
        (line,) = [x for x in listed.splitlines() if name in x]
        assert reason in line
    assert "bad" not in listed and "two" not in listed  # read, so not listed as skipped

    code, stderr = once(tmp_path)  # nothing is listed or recorded again

    assert code == 0 and "nothing new" in stderr and "skipped" not in stderr, stderr
    assert status(tmp_path) == listed


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_followed_links_still_list_loops_and_dangling_links(tmp_path: Path):
    make_trouble(tmp_path)
    config = tmp_path / "k.toml"
    config.write_text("[sources]\nsettle_seconds = 0\nfollow_symlinks = true\n")

    code, stderr = once(tmp_path, "--config", str(config))

    assert code == 0, stderr
    assert "機密" in published_text(tmp_path)  # the setting says: read links, wherever to
    listed = run_cli("status", "--config", str(config), "--state",
                     str(tmp_path / "state.sqlite3")).stdout
    assert "dangling.txt" in listed and "dangling symbolic link" in listed
    assert "loop.txt" in listed and "symbolic link loop" in listed
    assert "pipe.txt" in listed


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_the_same_text_in_another_encoding_is_not_published_again(tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = ARTICLES["culture"] + "\n" + ARTICLES["science"]
    (seeds / "news.txt").write_text(text, encoding="utf-8")
    assert once(tmp_path)[0] == 0
    before = len(check_feed(tmp_path / "out" / "feed.xml"))
    assert before == 2

    (seeds / "news-euc.txt").write_bytes(text.encode("euc_jp"))
    (seeds / "news-sjis-crlf.txt").write_bytes(text.replace("\n", "  \r\n").encode("cp932"))
    code, stderr = once(tmp_path)

    assert code == 0, stderr
    assert "nothing new" in stderr
    assert len(check_feed(tmp_path / "out" / "feed.xml")) == before


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_file_read_half_written_does_not_publish_its_first_article_twice(tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    whole = "\n".join(ARTICLES[k] for k in ("farming", "health", "energy"))
    cut = whole.index("遠隔診療の仕組み")
    (seeds / "news.txt").write_text(whole[:cut], encoding="utf-8")
    assert once(tmp_path)[0] == 0

    (seeds / "news.txt").write_text(whole, encoding="utf-8")  # the copy completes
    code, stderr = once(tmp_path)

    assert code == 0, stderr
    items = check_feed(tmp_path / "out" / "feed.xml")
    titles = [item.findtext("title") or "" for item in items]
    assert sum(title("farming") in t for t in titles) == 1, titles
    assert sum(title("energy") in t for t in titles) == 1, titles
    guids = [item.findtext("guid") for item in items]
    assert len(guids) == len(set(guids))


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_a_megabyte_on_one_line_is_published_with_bounded_sentences(tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    clause = "草原の町では新しい市場の建設が進み、周辺の村から多くの商人が集まっている、"
    (seeds / "long.txt").write_text(clause * (1_000_000 // len(clause.encode())),
                                    encoding="utf-8")

    code, stderr = once(tmp_path)

    assert code == 0, stderr
    (item,) = check_feed(tmp_path / "out" / "feed.xml")
    assert len(item.findtext("description") or "") < 20_000


@pytest.mark.slow
@pytest.mark.usefixtures("installed_model")
def test_documents_recorded_by_their_bytes_in_an_older_state_file_are_not_published_again(
        tmp_path: Path):
    import hashlib
    import sqlite3

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    path = seeds / "news.txt"
    path.write_text(ARTICLES["sport"], encoding="utf-8")
    assert once(tmp_path)[0] == 0
    (item,) = check_feed(tmp_path / "out" / "feed.xml")
    # What a state file written before text keys holds: the document under the hash of its
    # bytes, no article keys; the file touched since, so the stat index does not match.
    conn = sqlite3.connect(tmp_path / "state.sqlite3")
    with conn:
        conn.execute("UPDATE documents SET hash=?",
                     (hashlib.sha256(path.read_bytes()).hexdigest(),))
        conn.execute("DELETE FROM article_keys")
        conn.execute("DELETE FROM files")
    conn.close()

    code, stderr = once(tmp_path)

    assert code == 0 and "nothing new" in stderr, stderr
    (again,) = check_feed(tmp_path / "out" / "feed.xml")
    assert again.findtext("guid") == item.findtext("guid")
