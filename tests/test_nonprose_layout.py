"""Text kept as written, and what is not prose kept out of sentences, in any text file."""

from __future__ import annotations

from bot.glossary import Glossary
from bot.run.pipeline import analyze_text
from bot.sources.readers import read_text
from bot.text.clean import clean_text
from bot.text.sentences import split_sentences
from tests.support.make_pdf import make_japanese_pdf


def sentences_of(text: str, hard_wrapped: bool = False) -> list[str]:
    return [s for line in clean_text(text, hard_wrapped) for s in split_sentences(line)]


def test_a_space_between_japanese_words_is_kept_in_a_text_file():
    text = "政府は 新しい計画を発表した。計画の期間は五年で、欧州 中東の各国と協力する。\n"
    lines = clean_text(text)
    assert "・" not in "".join(lines)
    assert "政府は 新しい計画" in lines[0] and "欧州 中東" in lines[0]


def test_a_pdf_restores_a_lost_dot_only_between_nouns():
    text = ("同社はこれまで、欧州 中東 アフリカを結ぶ航路に投資してきたと説明した。政府は "
            "新しい計画を来年から実施する方針を示している。\n")
    (line,) = clean_text(text, hard_wrapped=True)
    assert "欧州・中東・アフリカ" in line and "政府は 新しい計画" in line


def test_extracted_pdf_text_in_a_text_file_restores_lost_dots():
    # A PDF extractor's text saved as .txt: lines cut at one width, a blank line after each.
    lines = ["当社は、アジア 欧州の各地で新しい物流拠点の整備を進めており、今年",
             "度中には三つの拠点が稼働を始める予定である。拠点の整備にあたっては",
             "地元の企業との協力を重視し、雇用の確保にも努めていく方針を示してい",
             "る。また、物流の効率を高めるため、新しい管理の仕組みも導入していく",
             "計画で、その費用は今後三年間でおよそ百億円にのぼる見通しである。"]
    (line,) = clean_text("\n\n".join(lines) + "\n")
    assert "アジア・欧州" in line


def test_short_repeated_lines_are_text_unless_paged():
    # A FAQ wrapped at a fixed width: the same short tail ends many questions.
    questions = [f"{topic}の設定を変えるにはどうすればよいで\nすか?\n"
                 f"{topic}は設定画面から変えられます。\n"
                 for topic in ("文字の大きさ", "画面の明るさ", "通知の音", "言語")]
    sentences = sentences_of("".join(questions))
    assert sentences.count("文字の大きさの設定を変えるにはどうすればよいですか?") == 1
    assert len(sentences) == 8 and "すか?" not in sentences


def test_a_table_of_contents_is_not_text():
    text = ("目次\n\n"
            "第1章 はじめに …………………… 3\n"
            "1.2 インストール ........ 12\n"
            "1.3 設定の方法・・・・・・・・・・15\n"
            "第2章 使い方     21\n\n"
            "第1章 はじめに\n"
            "この手引きでは、道具の使い方を順に説明します。\n")
    assert clean_text(text) == ["第1章 はじめに", "この手引きでは、道具の使い方を順に説明します。"]


def test_a_contents_head_in_brackets_or_a_rule_goes_with_its_entries():
    for head in ("【目次】", "━━━ 目次 ━━━", "■もくじ"):
        text = (f"{head}\n第1章 はじめに …… 3\n第2章 使い方 …… 9\n\n"
                "第1章 はじめに\nこの章では、道具の使い方を順に説明します。\n")
        assert clean_text(text) == ["第1章 はじめに", "この章では、道具の使い方を順に説明します。"]


def test_commands_are_never_joined_to_prose_or_each_other():
    text = ("　ソースコードは、公開されているリポジトリから取得します。手元に複製を\n"
            "作成できます:\n"
            "$ cd ~/work\n"
            "$ wget https://example.jp/kakehashi.tar.gz\n"
            "C:\\> dir\n"
            "    make install\n"
            "　複製が終わると、作業用のディレクトリができます。展開には数分かかること\n"
            "があります。\n")
    assert clean_text(text) == [
        "ソースコードは、公開されているリポジトリから取得します。手元に複製を作成できます:",
        "複製が終わると、作業用のディレクトリができます。展開には数分かかることがあります。"]


def test_latin_lines_that_are_not_code_stay():
    lines = clean_text("本文です。\nReference(s):\nChina and Japan sign a new trade pact | News\n"
                       "example.com\nhttps://example.com/a?id=1&b=2\n")
    assert lines == ["本文です。", "Reference(s):", "China and Japan sign a new trade pact | News",
                     "example.com", "https://example.com/a?id=1&b=2"]


def test_table_cells_in_a_pdf_are_not_sentences():
    text = ("　製品の大きさと価格は、次の表のとおりである。各製品の詳しい仕様は、別紙を参照\n"
            "されたい。\nサイ\nズ\n価格\n小\n100円\n中\n200円\n"
            "　表のとおり、価格は大きさに応じて段階的に上がる。\n")
    assert sentences_of(text, hard_wrapped=True) == [
        "製品の大きさと価格は、次の表のとおりである。",
        "各製品の詳しい仕様は、別紙を参照されたい。",
        "表のとおり、価格は大きさに応じて段階的に上がる。"]


def test_short_lines_in_a_text_file_are_not_taken_for_a_table():
    lines = clean_text("参加者\n山田\n佐藤\n鈴木\n以上の三名が出席した。\n")
    assert lines[:4] == ["参加者", "山田", "佐藤", "鈴木"]


def test_a_footnote_number_glued_to_a_sentence_is_removed():
    assert sentences_of("同社は新しい計画を来年から始めると発表した。2\n"
                        "ただ、計画の費用については明らかにしていない。\n") == [
        "同社は新しい計画を来年から始めると発表した。",
        "ただ、計画の費用については明らかにしていない。"]
    assert sentences_of("同社は計画を発表した。\n\n2ただ、費用は明らかにしていない。\n")[1] == (
        "ただ、費用は明らかにしていない。")
    # A number that counts something stays.
    assert sentences_of("会議は2日間の日程で開かれた。\n") == ["会議は2日間の日程で開かれた。"]


def test_numbered_faq_headings_and_items_keep_their_lines():
    text = ("・インターネットに接続できる環境と、およそ五百メガバイトの空き容量\n"
            "1.2 Debian とは何ですか?\n"
            "Debian は、自由なオペレーティングシステムを作る計画の名前です。\n"
            "1.3 入手するには?\n")
    assert clean_text(text) == [
        "・インターネットに接続できる環境と、およそ五百メガバイトの空き容量",
        "1.2 Debian とは何ですか?",
        "Debian は、自由なオペレーティングシステムを作る計画の名前です。",
        "1.3 入手するには?"]


def test_a_version_number_after_a_full_line_is_a_wrap_not_a_heading():
    filler = [f"{kanji}この段落の行はどれも同じ幅で折り返されていて、意味のある内容はありませ"
              for kanji in "一二三四五六"]
    text = "\n".join(["この道具を動かすには、あらかじめ手元の計算機に用意しておく Python",
                      "3.12 以降の版が必要になりますので、先に確認してください。", "", *filler,
                      "終わり。"])
    assert clean_text(text)[0] == (
        "この道具を動かすには、あらかじめ手元の計算機に用意しておく "
        "Python 3.12以降の版が必要になりますので、先に確認してください。")


def test_table_cells_of_a_real_pdf_are_not_sentences():
    page = ["　製品の大きさと価格は、次の表のとおりである。各製品の詳しい仕様は、別紙を参照さ",
            "れたい。", "サイ", "ズ", "価格", "小", "100円", "中", "200円",
            "　表のとおり、価格は大きさに応じて段階的に上がる。"]
    text = read_text("table.pdf", make_japanese_pdf(None, [page]))
    (analysis,) = analyze_text(text, Glossary(), 3, hard_wrapped=True)
    assert analysis.sentences == (
        "製品の大きさと価格は、次の表のとおりである。",
        "各製品の詳しい仕様は、別紙を参照されたい。",
        "表のとおり、価格は大きさに応じて段階的に上がる。")
