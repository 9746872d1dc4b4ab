"""PDF reading cost: layout reading against PDFium's plain text, on a long generated report.

    uv run python bench/pdf.py [--pages 300] [--repeats 3]

Sets a Japanese report of about --pages pages (tests/support/make_pdf.make_report_pdf: running
header and footer, a table of contents with dot leaders, headings, lists, wrapped paragraphs)
and reads it two ways, alternating: PDFium's plain text page by page (how PDFs were read
before) and `pdf_to_text` (lines with their boxes and sizes, furniture dropped, paragraphs
rejoined). Prints the median milliseconds per page of each, the peak memory of a fresh process
doing each read, the share of the source's sentences that come out whole from each after the
pipeline's analysis, and how many sentences or titles hold page furniture.
Last line: `layout_ms_per_page=<float>`.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ROOT, median_time

# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec, so
# a child would report the benchmark's own peak.
_CHILD = """
import json, re, sys, time
sys.path[:0] = [{root!r}, {root!r} + "/bench"]
data = open({path!r}, "rb").read()
start = time.perf_counter()
if {layout!r}:
    from bot.sources.pdf.extract import extract_text
    extract_text(data, 10**9, 10**12)
else:
    from pdf import plain_text
    plain_text(data)
status = open("/proc/self/status").read()
peak_kb = int(re.search(r"VmHWM:\\s+(\\d+)", status).group(1))
print(json.dumps({{"seconds": time.perf_counter() - start, "peak_mb": peak_kb / 1024}}))
"""


def plain_text(data: bytes) -> str:
    """The text as PDFs were read before: PDFium's plain text of each page, a blank line apart."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    texts = []
    try:
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_bounded().replace("\r\n", "\n"))
            textpage.close()
            page.close()
    finally:
        document.close()
    return "\n\n".join(texts)


def build(pages: int) -> tuple[bytes, int, list[str]]:
    """(the PDF, its page count, the sentences of its source)."""
    import pypdfium2 as pdfium

    from bot.text.clean import normalize
    from bot.text.sentences import split_sentences
    from tests.support.make_pdf import Bullets, Layout, Para, make_report_pdf
    from tests.support.reports import MANUAL, NEWS, REPORT

    blocks = MANUAL + REPORT + NEWS
    per_pass = 2.55  # pages that one pass over the three texts fills (measured)
    data = make_report_pdf(None, "パッケージ管理の手引き", blocks * max(1, round(pages / per_pass)),
                           Layout(width=300))
    texts = [b.text for b in blocks if isinstance(b, Para)]
    texts += [i for b in blocks if isinstance(b, Bullets) for i in b.items]
    sentences = [s for t in texts for s in split_sentences(normalize(t))]
    document = pdfium.PdfDocument(data)
    count = len(document)
    document.close()
    return data, count, sentences


def judge(text: str, expected: list[str]) -> tuple[float, int]:
    """(share of the source's sentences found whole, sentences and titles holding furniture:
    the running header, a footer's page number or a contents entry)."""
    from bot.glossary import Glossary
    from bot.run.pipeline import analyze_text

    analyses = analyze_text(text, Glossary(), 3, hard_wrapped=True)
    found = {s.removeprefix("- ") for a in analyses for s in a.sentences}
    furniture = re.compile(r"技術資料|— ?\d+ ?—|(?:…){3,}")
    spoiled = sum(1 for a in analyses for s in (a.article.title, *a.sentences)
                  if furniture.search(s))
    return sum(1 for s in expected if s in found) / len(expected), spoiled


def fresh_process(path: Path, layout: bool) -> dict[str, float]:
    """Time and peak memory of one read in a new interpreter (nothing else loaded)."""
    script = _CHILD.format(root=str(ROOT), path=str(path), layout=layout)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    # The reading itself, in this process: the product runs it in a child process (bounded;
    # bot/sources/pdf/__init__.py), which would hide its memory from this measure.
    from bot.sources.pdf.extract import extract_text

    def pdf_to_text(data: bytes) -> str:
        return extract_text(data, 10**9, 10**12)

    data, pages, expected = build(args.pages)
    print(f"pages={pages} bytes={len(data)}")
    plain_times, layout_times = [], []
    for _ in range(args.repeats):  # alternating: a drift in machine speed hits both alike
        plain_times.append(median_time(lambda: plain_text(data), 1))
        layout_times.append(median_time(lambda: pdf_to_text(data), 1))
    plain_ms = sorted(plain_times)[len(plain_times) // 2] * 1000 / pages
    layout_ms = sorted(layout_times)[len(layout_times) // 2] * 1000 / pages
    with tempfile.TemporaryDirectory(prefix="kakehashi-bench-") as tmp:
        path = Path(tmp) / "report.pdf"
        path.write_bytes(data)
        plain_child, layout_child = fresh_process(path, False), fresh_process(path, True)
    print(f"plain_peak_rss_mb={plain_child['peak_mb']:.1f} "
          f"layout_peak_rss_mb={layout_child['peak_mb']:.1f}")
    for name, text in (("plain", plain_text(data)), ("layout", pdf_to_text(data))):
        whole, spoiled = judge(text, expected)
        print(f"{name}_sentences_whole={whole:.3f} {name}_sentences_with_furniture={spoiled}")
    print(f"plain_ms_per_page={plain_ms:.2f}")
    print(f"layout_ms_per_page={layout_ms:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
