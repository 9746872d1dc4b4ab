"""Is a sentence prose, or the furniture around it? Pure.

Only prose is worth translating as a key sentence: a clause with a predicate (it ends in
。 ! ? or in a sentence-final form such as …です, …した, …である) carrying enough Japanese
letters. Everything else a document holds is sorted into the kind that explains why it is
not prose, tried in this order:

- CODE      a shell or program line (`$ cd ~/gentoo`, `sudo apt-get install …`, `x = f(y);`);
- HEADING   a Markdown or numbered heading (`# 序章`, `1.2 Debian とは何ですか?`, `第1章 概要`,
            `Q3.`), or a short line without a predicate (`各国の動向`, `まとめ`);
- QUESTION  a question standing alone (`Debian とは何ですか?`): it asks rather than tells;
- LIST      a list item (`- 項目`, `・項目`, `● 項目`, `(1) 項目です。`);
- TOC       a table-of-contents line (`第1章 概要 …… 3`);
- TABLE     a table row or cell (`| 品目 | 数量 |`, `サイ`, `ズ`, `12.5%`);
- CAPTION   a figure or photo caption (`写真:…`, `図1 …`, `【写真】…`, `▲…`);
- CREDIT    a colophon, credit, byline or label:value line (`入力:…校正:…`, `発行:…`, `©`,
            `(共同)`);
- CONTACT   a line that is an address: URL, e-mail or phone (`電話:03-…`);
- UI        a reader tool or page instruction (`ことばの色を消す`, `NEWS WEBでよむ`,
            `※下に線があることばは…`, `ボタンを押してください。`);
- NOTE      a note (`※数値は速報値。`) or a letter's formula (`お疲れ様です。`);
- FRAGMENT  too little Japanese to be a sentence (English, numbers, a cut-off piece).

A sentence that opens with a dateline or tag in 【】 (`【ワシントン共同】米政府は…`) is judged
by what follows the tag. Full-width forms are read as their NFKC equivalents, so the result is
the same before and after the cleaning stage.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from bot.text import chars


class Kind(StrEnum):
    """Why a sentence is (or is not) prose."""

    PROSE = "prose"
    CODE = "code"
    HEADING = "heading"
    QUESTION = "question"
    LIST = "list"
    TOC = "toc"
    TABLE = "table"
    CAPTION = "caption"
    CREDIT = "credit"
    CONTACT = "contact"
    UI = "ui"
    NOTE = "note"
    FRAGMENT = "fragment"


# Fewer kana and kanji than this is no sentence (`サイ`, `以上です`); a short real sentence
# such as 2.6万TEUに達した。 has five.
MIN_JAPANESE = 5
# …nor is a line whose kana and kanji are less than this share of its visible characters.
MIN_JAPANESE_SHARE = 0.2

# NFKC has made full-width brackets ASCII: `chars.CLOSERS` holds both.
_CLOSERS = chars.CLOSERS
# Sentence-final forms that end a clause without a full stop (a lost 。, a quoted sentence).
_FINAL_FORM = re.compile(
    "(?:です|ます|でした|ました|ません|でしょう|ましょう|である|であった|であろう|だった"
    "|だろう|ている|ていた|てきた|ていく|ておく|てある|ください|ない|なかった|たい"
    f"|[{chars.KANA}]た|[{chars.JAPANESE}]だ)$"
)
_TAG = re.compile(r"^【(?!写真|図|表|画像|動画|資料)[^】]{1,20}】\s*")  # not a caption's mark

# --- structure ---------------------------------------------------------------------------
_CODE = re.compile(
    r"^(?:[$%>]|#(?=\s*[A-Za-z./~_-])|C:\\>|PS\s?[A-Z]?:?.*>)\s*[A-Za-z./~_-]"
    r"|^(?:sudo|apt|apt-get|git|cd|ls|make|pip|npm|echo|export|import|from|def|class|return"
    r"|var|let|const|function|public|private|#include|#define)\s+\S"
    r"|[;{}]\s*$|^[}\])]|^\s*(?://|/\*|<!--)"
)
_MD_HEADING = re.compile(r"^#{1,6}\s")
# A number with a particle after it is a sentence's subject, a version (`4.0 と 5.0 は…`),
# not a section's number (`1.2 はじめに`: は opens a word there).
_NUMBERED_HEADING = re.compile(
    rf"^(?:\d+(?:\.\d+)+(?:\.\s*|\s+(?![とはがのをでにもやへ][^{chars.HIRAGANA}]))"
    r"|第[\d一二三四五六七八九十百]+[章節部編](?=[\s:]|$)|Q\d*[.:]|問\d+[.:]?|[IVX]+\.\s)"
)
_NUMBERED_ITEM = re.compile(r"^(?:\d+[.)](?!\d)|\(\d+\)|\([a-z]\)|[a-z]\)|[ア-ン][.)])\s*")
_BULLET = re.compile(f"^(?:{chars.ASCII_BULLET}|[{chars.BULLETS}])\\s*")
# A heading's mark, or a list item's. (▲▼ mark a caption here; ※ a note.)
_BOX_BULLET = re.compile(f"^[{chars.BOX_MARKS}]\\s*")
_KANJI_WORD = re.compile(f"[{chars.KANJI}]+")
_PAGE_NUMBER = re.compile(r"\d{1,4}$")
_LEADERS = ("..", "…", "‥", "・・", "---", "ーーー", "―――")
_TABLE_ROW = re.compile(r"\t|\|.*\|")
_NUMBERS_ONLY = re.compile(r"^[\d\s.,%+\-−/:()円万億千ドル年月日]+$")


def sentence_kind(sentence: str) -> Kind:
    """The kind of `sentence` (see the module docstring); Kind.PROSE for running text."""
    text = unicodedata.normalize("NFKC", sentence).strip()
    text = _TAG.sub("", text) or text
    if not text:
        return Kind.FRAGMENT
    for judge in (_structure, _furniture):
        kind = judge(text)
        if kind is not None:
            return kind
    return _body(text)


def is_prose(sentence: str) -> bool:
    """A clause with a predicate and enough Japanese, not furniture (see `sentence_kind`)."""
    return sentence_kind(sentence) is Kind.PROSE


def opens_section(kind: Kind) -> bool:
    """Only a heading divides a text into sections; furniture and lists sit inside them."""
    return kind is Kind.HEADING


def _structure(text: str) -> Kind | None:
    """Code, headings, list items, contents lines and tables: told by their shape."""
    if _CODE.search(text) and _japanese_count(text) < MIN_JAPANESE:
        return Kind.CODE
    if _is_contents_line(text):
        return Kind.TOC
    if _MD_HEADING.match(text) or _NUMBERED_HEADING.match(text):
        return Kind.HEADING
    if _BULLET.match(text):
        return Kind.LIST
    box = _BOX_BULLET.match(text) or _NUMBERED_ITEM.match(text)
    if box:
        return Kind.LIST if _has_predicate(text[box.end():]) else Kind.HEADING
    if _TABLE_ROW.search(text) or _NUMBERS_ONLY.match(text):
        return Kind.TABLE
    if len(text) <= 2 and not _KANJI_WORD.fullmatch(text):
        return Kind.TABLE  # a cell, or a word cut by a table's column (サイ|ズ)
    return None


def _body(text: str) -> Kind:
    """What is left: prose if it has a predicate and enough Japanese; a heading if it is
    Japanese without a predicate (a heading may be one word: 背景, まとめ)."""
    letters = _japanese_count(text)
    foreign = letters < MIN_JAPANESE_SHARE * sum(1 for c in text if not c.isspace())
    if not _has_predicate(text):
        return Kind.HEADING if letters >= 2 and not foreign else Kind.FRAGMENT
    if letters < MIN_JAPANESE or foreign:
        return Kind.FRAGMENT
    if _end(text).endswith("?") and "。" not in text:
        return Kind.QUESTION
    return Kind.PROSE


def _end(text: str) -> str:
    """The last few characters before any closing brackets and quotes: the clause's end
    (a slice, so that no pattern has to scan a long line from every position)."""
    return text.rstrip(_CLOSERS)[-8:]


def _ends_sentence(text: str) -> bool:
    return _end(text)[-1:] in ("。", "!", "?")


def _has_predicate(text: str) -> bool:
    return _ends_sentence(text) or _FINAL_FORM.search(_end(text)) is not None


def _is_contents_line(text: str) -> bool:
    """Text, leaders (…… or a wide gap), then a page number: `第1章 概要 …… 3`."""
    number = _PAGE_NUMBER.search(text[-4:])
    if number is None:
        return False
    before = text[: len(text) - len(number[0])]
    title = before.rstrip(" ").rstrip(".…‥・-ー―").strip()
    gap = before.endswith("  ") or before.rstrip(" ").endswith(_LEADERS)
    return gap and bool(title)


def _japanese_count(text: str) -> int:
    return chars.japanese_count(text)


# --- furniture ---------------------------------------------------------------------------
_CAPTION = re.compile(
    r"^(?:(?:写真|図|表|画像|動画|グラフ|イラスト|地図|資料|出典|出所|撮影|提供)"
    r"\s*(?:\d+(?:[-.]\d+)*)?\s*(?:[:=]|\s|$)"
    r"|[\[(](?:写真|図|表|画像|動画|資料)[^\])]{0,20}[\])]"
    r"|【(?:写真|図|表|画像|動画|資料)[^】]{0,20}】"
    f"|[{chars.POINTERS}↑↓])"
)
_BRACKETED = re.compile(r"[(\[【〔][^()\[\]【】〔〕]{1,30}[)\]】〕]")
_COPYRIGHT = re.compile(r"©|\(c\)\s*\d|copyright|all rights reserved|無断(?:転載|複製|転用)",
                        re.IGNORECASE)
_CREDIT_LABEL = re.compile(
    r"(?:底本|底本の親本|入力|校正|初出|発行(?:所|者|日|元)?|編集(?:・発行|者|部)?"
    r"|編者|著者|作者|作成|制作|印刷|翻訳|訳者?|執筆|監修|取材|構成|デザイン|ファイル作成"
    r"|文責|協力|主催|共催|後援)\s*:"
)
_CONTACT_LABEL = re.compile(
    r"^(?:電話|tel|fax|phone|住所|所在地|(?:e-?)?mail|メール|url|ホームページ|ウェブサイト"
    r"|(?:お)?問い?合わ?せ(?:先)?|連絡先|窓口)\s*(?:番号)?\s*(?:[:.]|\s)", re.IGNORECASE)
_ADDRESS = re.compile(
    r"(?:https?|ftp)://\S+|www\.\S+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<!\d)(?:\(?0\d{1,4}\)?[-\s]?|\+81[-\s]?\d{1,4}[-\s]?)\d{1,4}-\d{3,4}(?!\d)", re.ASCII)
# A label is a word or two (日時, 会場, 参加費); a longer lead-in before a colon is a heading's.
_LABEL_VALUE = re.compile(r"^[^\s:。、!?]{1,6}:\s*(?P<value>.*)$")
_UI_WORDS = re.compile(r"クリック|タップ|ボタン|スクロール|アイコン|マウス|カーソル|ブラウザ"
                       r"|javascript|cookie|クッキー|ログイン|ページの(?:先頭|上部|下部|トップ)",
                       re.IGNORECASE)
_UI_ASK = re.compile(r"ください|下さい|すると|できます|を押|を選|してご覧|でご覧")
# A page's controls are labelled with verbs; nouns that also head sections (拡大, 再生, 停止)
# and verbs that end headlines (開く, 進む) are left out.
_UI_COMMAND = re.compile(
    r"^.{0,20}?(?:消す|けす|表示する|非表示|隠す|かくす|よむ|読む|見る|みる|聞く|きく"
    r"|閉じる|とじる|戻る|もどる|印刷する|シェアする|ツイート|ダウンロード|ログイン|ログアウト"
    r"|もっと見る|続きを読む|トップへ|次へ|前へ|先頭へ)$")
_UI_NOTE = re.compile(r"ことば|言葉|単語|辞書|色|線|ふりがな|ルビ|音声|画面|ページ|表示")
_FORMULA = re.compile(
    r"^(?:お疲れ様です|お疲れさまです|お世話になって(?:おります|います)|いつもお世話になって"
    r"|よろしくお願い(?:いたします|致します|します|申し上げます)|以上(?:です|となります)"
    r"|拝啓|敬具|草々|[^、。\sはがをにで]{1,12}の[^、。\sはがをにでの]{1,6}です[。!]?$)")


def _furniture(text: str) -> Kind | None:
    """Captions, credits, addresses, page instructions and notes: told by their words."""
    if _CAPTION.match(text):
        return Kind.CAPTION
    if _BRACKETED.fullmatch(text):
        return Kind.CREDIT  # a byline or agency on its own: (共同), (ワシントン=山田太郎)
    credits = [m.start() for m in _CREDIT_LABEL.finditer(text)]
    # Two credit labels in a line are a colophon; one must open the line (a heading may
    # end in 協力: too), and a sentence may follow it.
    if (_COPYRIGHT.search(text) or len(credits) >= 2
            or (credits[:1] == [0] and not _ends_sentence(text))):
        return Kind.CREDIT
    if _CONTACT_LABEL.match(text) or (
            _ADDRESS.search(text) and _japanese_count(_ADDRESS.sub("", text)) < MIN_JAPANESE):
        return Kind.CONTACT
    if _is_ui(text):
        return Kind.UI
    if text.startswith(("※", "*", "注:", "(注)", "注)")) or _FORMULA.match(text):
        return Kind.NOTE
    label = _LABEL_VALUE.match(text)
    if label and not _has_predicate(label["value"]):
        return Kind.CREDIT
    return None


def _is_ui(text: str) -> bool:
    if _UI_WORDS.search(text) and _UI_ASK.search(text):
        return True
    if text.startswith("※") and _UI_NOTE.search(text):
        return True
    return not _ends_sentence(text) and _UI_COMMAND.match(text) is not None
