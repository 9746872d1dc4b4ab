"""Many distinct Japanese newsletter documents of several genres, our own text (for runs
large enough to batch across documents, and to stop in the middle of)."""

from __future__ import annotations

from pathlib import Path

GENRES = {
    "物流": ("国境の駅で積み替えの待ち時間が{n}時間短くなった",
             "中欧班列の運行本数は前年より{n}本増えた",
             "倉庫の関係者は来月も同じ傾向が続くとみている",
             "港では新しいクレーンが{n}基導入された"),
    "経済": ("地元の銀行は中小企業への融資を{n}億円増やした",
             "カザフスタンへの輸出額は前月比で{n}%伸びたと統計局が発表した",
             "専門家は為替の動きを注意深く見守っている",
             "新しい工業団地には{n}社が進出を決めた"),
    "文化": ("市の博物館で古い織物の展示が{n}日から始まった",
             "来場者は初日だけで{n}人を超えた",
             "学芸員は保存状態の良さに驚いたと話している",
             "展示は秋まで続き、週末には講演会も開かれる"),
    "気象": ("山沿いでは{n}センチの雪が積もった",
             "気象台は週末にかけて強い風に注意するよう呼びかけている",
             "空の便は{n}便が欠航した",
             "農家は果樹の被害を確かめている"),
}


def make_article(genre: str, index: int) -> str:
    """One newsletter article: a 【genre】 header line and a paragraph of distinct sentences."""
    sentences = [s.format(n=index * 7 + k + 3) for k, s in enumerate(GENRES[genre])]
    body = "。".join(sentences) + f"。記事番号は{index}である。"
    return f"【{genre}】第{index}号の話題\n{body}\n"


def write_documents(folder: Path, documents: int, articles_each: int) -> list[Path]:
    """`documents` .txt files of `articles_each` articles each, every article distinct."""
    folder.mkdir(parents=True, exist_ok=True)
    genres = list(GENRES)
    paths = []
    for d in range(documents):
        parts = [make_article(genres[(d + a) % len(genres)], d * articles_each + a)
                 for a in range(articles_each)]
        path = folder / f"letter-{d:03d}.txt"
        path.write_text("\n".join(parts), encoding="utf-8")
        paths.append(path)
    return paths
