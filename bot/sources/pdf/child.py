"""The child process that reads one PDF (`python -m bot.sources.pdf.child PAGES CHARS BYTES`):
the PDF on stdin, its text on stdout; an unreadable or too long PDF exits 3 with the reason
on stderr. The address-space limit is set before PDFium is loaded (see __init__.py)."""

from __future__ import annotations

import resource
import sys

from bot.core.errors import InputError


def main(argv: list[str]) -> int:
    """Read the PDF on stdin within the limits in `argv`; the exit code says how it went."""
    max_pages, max_chars, max_memory = (int(value) for value in argv)
    resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
    # PDFium aborts when an allocation fails: no core file of a GiB for that.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    from bot.sources.pdf.extract import extract_text

    data = sys.stdin.buffer.read()
    try:
        text = extract_text(data, max_pages, max_chars)
    except InputError as exc:
        print(str(exc), file=sys.stderr)
        return 3
    except MemoryError:
        return 4
    sys.stdout.buffer.write(text.encode("utf-8", "surrogatepass"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
