"""Take a screenshot of a page of the web archive in headless Chromium (the README's image).

    uv run python -m tests.support.screenshot OUT/articles/GUID.html docs/screenshot.png
    uv run python -m tests.support.screenshot --sample docs/screenshot.png

`--sample` first writes the hand-made example site of tests/support/site.py (our own text,
real English) to a temporary folder and shoots its news article. Needs `chromium` on PATH.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.support.browser import Browser, find_chromium


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.screenshot",
                                     description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("page", nargs="?", type=Path, help="an HTML file in OUT/")
    parser.add_argument("output", type=Path, help="where to write the PNG")
    parser.add_argument("--sample", action="store_true", help="shoot the example site's article")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--dark", action="store_true", help="prefers-color-scheme: dark")
    args = parser.parse_args(argv)
    executable = find_chromium()
    if executable is None:
        print("screenshot: chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        page = args.page
        if args.sample:
            from bot.publish.render import article_path
            from tests.support.site import news_entry, write_sample_site

            write_sample_site(Path(folder))
            page = Path(folder) / article_path(news_entry().guid)
        if page is None or not page.is_file():
            print(f"screenshot: no such page: {page}", file=sys.stderr)
            return 1
        browser = Browser(executable)
        try:
            browser.load(page, args.width, args.height, dark=args.dark)
            browser.screenshot(args.output)
        finally:
            browser.close()
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
