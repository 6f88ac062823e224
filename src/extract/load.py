"""Bytes on disk -> article text.

Every article either decodes to exactly the text an analyst would see when
opening the file in its real encoding, or is rejected with a LoadError that
says why.  Nothing is ever decoded with replacement characters: a silently
corrupted text would yield silently wrong numbers downstream.
"""
from __future__ import annotations

import codecs
import hashlib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import charset_normalizer

from extract.normalize import to_simplified

SUFFIXES = (".txt", ".md")

# BOMs are declarations: if present we trust them and try nothing else.
# UTF-32 first, because the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# charset-normalizer names -> the codec we decode with.  GB2312 and GBK are
# subsets of GB18030 and Big5 of Big5-HKSCS, so decoding with the superset
# never fails on a correct guess and also covers the usual vendor extensions.
_CHINESE_CODECS = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "cp936": "gb18030",
    "big5": "big5hkscs", "big5hkscs": "big5hkscs", "cp950": "big5hkscs",
    "utf_16": "utf-16", "utf_16_le": "utf-16-le", "utf_16_be": "utf-16-be",
}
_LEGACY_FALLBACKS = ("gb18030", "big5hkscs")
# C0/C1 control characters other than tab, newlines, vertical tab, form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_SHARE = 0.05
# Share of non-ASCII characters that must be common Chinese (see _is_common)
# for a legacy decode to be believed.  Real GBK/Big5 text, in either script,
# scores > 0.99; UTF-8 or Big5 bytes mis-decoded as GB18030 score ~0.3-0.5.
_MIN_COMMON_SHARE = 0.8


class LoadError(Exception):
    """An article that cannot be turned into trustworthy text."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason  # "empty", "binary", "too_large", "undecodable", "unreadable"
        self.message = message


@dataclass(frozen=True)
class RawArticle:
    path: str      # relative path given by the caller (posix style)
    text: str      # decoded text, universal newlines
    sha256: str    # hex sha256 of the raw bytes
    encoding: str  # codec name; open(path, encoding=encoding).read() == text
    n_bytes: int


def discover(input_dir: Path) -> tuple[list[Path], list[Path]]:
    """Recursively: (article files with SUFFIXES, sorted by relative path;
    other files skipped, sorted).  Hidden files/dirs are ignored entirely."""
    articles: list[Path] = []
    skipped: list[Path] = []
    for root, dirs, files in os.walk(input_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # prune, don't descend
        for name in files:
            if name.startswith("."):
                continue
            path = Path(root, name)
            (articles if path.suffix.lower() in SUFFIXES else skipped).append(path)
    key = lambda p: p.relative_to(input_dir).as_posix()  # noqa: E731
    return sorted(articles, key=key), sorted(skipped, key=key)


def read_article(path: Path, rel: str, max_bytes: int = 20_000_000) -> RawArticle:
    """Read and decode one article; raises LoadError."""
    try:
        size = path.stat().st_size
        if size > max_bytes:  # checked before reading: never load a huge file
            raise LoadError("too_large", f"file is {size:,} bytes, limit is {max_bytes:,}")
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)  # +1: the file may have grown since stat
    except OSError as e:
        raise LoadError("unreadable", f"cannot read file: {e.strerror or e}") from e
    if len(data) > max_bytes:
        raise LoadError("too_large", f"file grew past the limit of {max_bytes:,} bytes")
    text, encoding = decode(data)
    return RawArticle(rel, text, hashlib.sha256(data).hexdigest(), encoding, len(data))


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) or raises LoadError.  Newlines are universal ("\\r\\n"
    and "\\r" become "\\n"), i.e. text == open(path, encoding=encoding).read()."""
    if not data.strip():
        raise LoadError("empty", "empty file" if not data else "file contains only whitespace")
    text, encoding = _decode_raw(data)
    # Downstream character offsets are checked against open().read(), which
    # applies universal newlines; mirror it exactly.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():  # e.g. whitespace-only UTF-16
        raise LoadError("empty", "file contains only whitespace")
    n_control = len(_CONTROL.findall(text))
    if n_control > _MAX_CONTROL_SHARE * len(text):
        raise LoadError("binary", f"binary file ({n_control} control characters in {len(text)})")
    return text, encoding


def _decode_raw(data: bytes) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as e:
                raise LoadError(
                    "undecodable", f"invalid {encoding} at byte {e.start} despite its BOM"
                ) from e

    nul = data.find(b"\x00")
    if nul >= 0:
        # NULs in text only occur in BOM-less UTF-16, where ASCII characters
        # put them all on odd (LE) or all on even (BE) offsets.
        for encoding, nul_free in (("utf-16-le", data[0::2]), ("utf-16-be", data[1::2])):
            if len(data) % 2 == 0 and b"\x00" not in nul_free:
                if (text := _try_decode(data, encoding)) is not None:
                    return text, encoding
        where = "in first 8 KiB" if nul < 8192 else f"at byte {nul}"
        raise LoadError("binary", f"binary file (NUL bytes {where})")

    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        utf8_error = e

    best = charset_normalizer.from_bytes(data).best()
    guess = best.encoding if best else None
    candidates = [_CHINESE_CODECS[guess]] if guess in _CHINESE_CODECS else []
    candidates += [c for c in _LEGACY_FALLBACKS if c not in candidates]
    for encoding in candidates:
        if (text := _try_decode(data, encoding)) is not None:
            return text, encoding

    bad = data[utf8_error.start : utf8_error.end].hex(" ")
    raise LoadError(
        "undecodable",
        f"invalid UTF-8 at byte {utf8_error.start} (0x{bad}), and neither GB18030 nor Big5 "
        f"decodes it as plausible Chinese (charset-normalizer guess: {guess or 'none'})",
    )


def _try_decode(data: bytes, encoding: str) -> str | None:
    """Strict decode that is also *plausible*: legacy codecs accept almost any
    byte soup (UTF-8 Chinese decodes "cleanly" as GB18030 mojibake), so a
    decode only counts if its non-ASCII characters are mostly common Chinese."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    non_ascii = [c for c in text if ord(c) > 0x7F]
    common = sum(map(_is_common, non_ascii))
    return text if common >= _MIN_COMMON_SHARE * len(non_ascii) else None


@lru_cache(maxsize=65536)
def _is_common(char: str) -> bool:
    """In GB2312 (common simplified characters and CJK punctuation) once
    converted to simplified script, so traditional text qualifies too."""
    try:
        to_simplified(char).encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True
