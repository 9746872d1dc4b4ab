"""Zip packages (.docx, .odt): opened within bounds, their XML parts parsed without DTDs. Pure.

A file from the folder is untrusted. What one package may cost is bounded before anything is
inflated: the number of members, the total size the archive declares, and the bytes actually
inflated for each part read (a declared size can lie). A part with a DOCTYPE is refused before
it is parsed: neither format uses one, and entity declarations are how XML bombs and external
references work. Every failure is an InputError whose message starts with the format's name.
"""

from __future__ import annotations

import contextlib
import io
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

from bot.core.errors import InputError

# A long report with many images has a few hundred members; tens of thousands is a bomb.
MAX_MEMBERS = 5_000
# What all members together may declare: images are stored, not inflated, by the readers, but a
# package claiming more than this is not a document someone wrote.
MAX_TOTAL_BYTES = 1_000_000_000
# One XML part as inflated: a 1,000-page report's document.xml is about 15 MB; the parsed tree
# takes several times the part's size in memory, which bounds the cost of one file.
MAX_PART_BYTES = 40_000_000
_CHUNK = 1 << 20
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: encrypted Office files, .doc


@dataclass(frozen=True)
class Package:
    """An opened zip package, and the format name its errors are reported under."""

    archive: zipfile.ZipFile
    kind: str  # ".docx", ".odt"

    def error(self, reason: str) -> InputError:
        """An InputError saying this file is not a valid one of its kind, and why."""
        return InputError(f"not a valid {self.kind} file: {reason}")


def open_package(data: bytes, kind: str) -> Package:
    """The zip archive in `data`, after checking it is one and what it claims to hold."""
    if data.startswith(_OLE):
        raise InputError(f"not a valid {kind} file: an encrypted (password-protected) "
                         "document or an old binary one (.doc/.xls) renamed")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError,
            NotImplementedError) as exc:
        # NotImplementedError: a damaged header claims a zip version the module cannot read.
        raise InputError(f"not a valid {kind} file: not a readable zip archive ({exc})"
                         ) from None
    package = Package(archive, kind)
    if len(members) > MAX_MEMBERS:
        raise package.error(f"{len(members):,} members in the archive (limit {MAX_MEMBERS:,})")
    declared = sum(m.file_size for m in members)
    if declared > MAX_TOTAL_BYTES:
        raise package.error(f"the archive expands to {declared:,} bytes (limit "
                            f"{MAX_TOTAL_BYTES:,}): a zip bomb?")
    return package


def has_part(package: Package, name: str) -> bool:
    """Does the package hold a member of this name?"""
    try:
        package.archive.getinfo(name)
    except KeyError:
        return False
    return True


def read_part(package: Package, name: str) -> bytes:
    """One member's bytes, inflated at most MAX_PART_BYTES whatever its header declares."""
    try:
        info = package.archive.getinfo(name)
    except KeyError:
        raise package.error(f"{name} is missing") from None
    if info.file_size > MAX_PART_BYTES:
        raise package.error(f"{name} expands to {info.file_size:,} bytes (limit "
                            f"{MAX_PART_BYTES:,}): a zip bomb?")
    chunks, total = [], 0
    try:
        with package.archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                total += len(chunk)
                if total > MAX_PART_BYTES:  # the header lied about the size
                    raise package.error(f"{name} expands beyond {MAX_PART_BYTES:,} bytes: "
                                        "a zip bomb?")
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
            NotImplementedError, RuntimeError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression.
        raise package.error(f"{name} cannot be inflated ({exc})") from None
    return b"".join(chunks)


def optional_part(package: Package, name: str) -> ET.Element | None:
    """A part the text does not depend on (styles, properties, relationships), or None when
    it is missing or unreadable: a damaged one costs the headline or list marks, not the
    document. Failures of the part holding the text are the file's."""
    if not has_part(package, name):
        return None
    try:
        return parse_part(package, name)
    except InputError:
        return None


class _PrologEndError(Exception):
    """Raised to stop the DOCTYPE check at the root element, or at a DOCTYPE."""


def parse_part(package: Package, name: str) -> ET.Element:
    """One member parsed as XML: refused when it declares a DOCTYPE or is not well-formed."""
    data = read_part(package, name)
    if _has_doctype(data):
        raise package.error(f"{name} declares a DOCTYPE (entities are not read)")
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise package.error(f"{name} is not well-formed XML ({exc})") from None


def _has_doctype(data: bytes) -> bool:
    """Does the prolog (everything before the root element) hold a DOCTYPE? Expat stops at
    the root element, so this costs nothing on a well-formed part, whatever its size."""
    parser = expat.ParserCreate()
    found: list[bool] = []

    def stop(*_: object) -> None:
        raise _PrologEndError

    def doctype(*_: object) -> None:
        found.append(True)
        raise _PrologEndError

    parser.StartElementHandler = stop
    parser.StartDoctypeDeclHandler = doctype
    # Not well-formed: ElementTree says where, next.
    with contextlib.suppress(_PrologEndError, expat.ExpatError):
        parser.Parse(data, True)
    return bool(found)
