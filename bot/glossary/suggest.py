"""Suggest glossary additions: recurring names in documents that the glossary lacks. Pure."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bot.glossary.match import Glossary

# Katakana names (ホルゴス), named bodies and places (国家鉄路集団, 生態環境部: kanji ending in
# an organisation or place word), Latin acronyms (PGII, TITR).
_CANDIDATE = re.compile(
    r"[\u30a1-\u30fa\u30fc・]{3,}"
    r"|[\u4e00-\u9fff々]{2,}(?:省|部|局|庁|銀行|集団|公司|大学|研究所|委員会|協会|機構|会議"
    r"|計画|港|市(?!場)|州|県|区|鉄道|回廊|発電所)"
    r"|(?<![A-Za-z0-9])[A-Z][A-Z0-9]{1,9}(?![A-Za-z0-9])"
)
# Everyday loanwords: katakana, but not names worth a glossary line.
_COMMON = frozenset([
    "エネルギー", "インフラ", "プロジェクト", "ネットワーク", "サプライチェーン",
    "ビジネス", "パートナーシップ", "デジタル", "モデル", "ルート", "コスト",
    "サミット", "コンテナ", "アプローチ", "イノベーション", "メカニズム",
    "リスク", "プレゼンス", "セクター", "データ", "システム", "プログラム",
    "プラットフォーム", "パイプライン", "グローバル", "テクノロジー", "サービス",
    "マーケット", "ポイント", "プロセス", "レベル", "リサイクル",
    "パフォーマンス", "ソリューション", "チャンス", "ロードマップ",
    "コンサルティング", "ダイナミズム", "アルミニウム", "コリドー",
    "ショーケース", "パネル", "タービン", "エクスポージャー", "センター",
    "ニュース", "バランス", "パートナー", "ライブ", "セメント",
])


@dataclass(frozen=True)
class Suggestion:
    term: str
    count: int
    example: str


def suggest_terms(sentences: Iterable[str], glossary: Glossary,
                  min_count: int = 2) -> list[Suggestion]:
    """Candidates seen at least `min_count` times outside any glossary term, most frequent first."""
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for sentence in sentences:
        masked = _mask_known(sentence, glossary)
        for match in _CANDIDATE.finditer(masked):
            term = match.group().strip("・")
            # Compounds of everyday words (エネルギーインフラ) are not names either.
            if len(term) < 2 or any(word in term for word in _COMMON):
                continue
            counts[term] += 1
            examples.setdefault(term, sentence)
    return [Suggestion(term, n, examples[term])
            for term, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            if n >= min_count]


def _mask_known(sentence: str, glossary: Glossary) -> str:
    """Blank out what the glossary already covers, so its parts are not suggested again."""
    chars = list(sentence)
    for hit in glossary.find_hits(sentence):
        chars[hit.start:hit.end] = [" "] * (hit.end - hit.start)
    return "".join(chars)
