"""Bytes on disk -> article text.

Every article decodes to the text an analyst would see when opening the file
in its real encoding, or is rejected with a LoadError that says why and which
encodings were tried.  A file that decodes except for a few bad bytes (a
truncated download, one corrupted sector) is kept: each bad byte sequence
becomes U+FFFD, exactly as `open(path, encoding=..., errors="replace")`
would give, and the article carries a warning with their byte offsets (a
warning row in the errors table).  Mostly undecodable files are still
rejected: a text full of replacement characters would yield wrong numbers.
"""
from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import charset_normalizer

from extract.stages.normalize import to_simplified

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
_AFTER_BOM = {codecs.BOM_UTF32_LE: "utf-32-le", codecs.BOM_UTF32_BE: "utf-32-be", codecs.BOM_UTF8: "utf-8",
              codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}
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
# A file is kept with replacement characters when its bad bytes are at most
# this share of the file (or _FEW_BAD_BYTES and at most _FEW_BAD_SHARE, for short
# files); beyond, rejected.
_MAX_BAD_SHARE = 0.01
_FEW_BAD_BYTES = 4
_FEW_BAD_SHARE = 0.05
_SHOW_OFFSETS = 10


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
    encoding: str  # codec name; open(path, encoding=encoding, errors="replace").read() == text
    n_bytes: int
    warnings: tuple[str, ...] = ()  # e.g. bytes replaced while decoding; become warning rows in errors
    # Metadata an input gives beside its text (HTML pages, table rows; see
    # extract.inputs).  None when the input does not say.
    url: str | None = None
    title_given: str | None = None
    published_given: str | None = None  # ISO YYYY-MM-DD, or YYYY-MM / YYYY when only that is known
    input_format: str = "txt"           # txt | md | html | jsonl | csv | parquet
    site_given: str | None = None       # site name from an HTML page's metadata
    file: str | None = None             # the input file, when path is a table row's key
    row: int | None = None              # 0-based data row of `file`


@dataclass
class Discovery:
    articles: list[Path]                  # article files, sorted by relative path
    skipped: list[tuple[Path, str]]       # (path, why): other files, links not followed
    unreadable: list[tuple[Path, str]]    # (folder, why): folders that could not be listed


def discover(input_dir: Path) -> tuple[list[Path], list[Path]]:
    """Recursively: (article files with SUFFIXES, sorted by relative path;
    other files skipped, sorted).  Hidden files/dirs are ignored entirely."""
    found = discover_all(input_dir)
    return found.articles, [p for p, _ in found.skipped]


def discover_all(input_dir: Path, follow_symlinks: bool = False, suffixes: tuple[str, ...] = SUFFIXES,
                 exclude: Path | None = None) -> Discovery:
    """Like discover(), with reasons, and folders that could not be read.

    A symbolic link whose target lies outside input_dir is listed as skipped
    (a link to /etc/passwd must not become an article, and its text a line of
    a shared report) unless follow_symlinks; links inside are read as usual
    (files) or not descended into (folders: their files are listed already).
    Only regular files are articles: a FIFO named x.txt would block the run
    forever, a link to /dev/zero never ends; they are listed as skipped.
    `exclude` (the run's --out, when it lies inside input_dir) is skipped
    whole: a run must not read its own tables as articles.
    """
    input_dir = Path(input_dir)
    root_real = os.path.realpath(input_dir)
    excluded = os.path.realpath(exclude) if exclude is not None else None
    found = Discovery([], [], [])
    not_an_article = f"not an article ({'/'.join(s.lstrip('.') for s in suffixes)}): skipped"
    seen_dirs = {root_real}   # followed links can form cycles

    def on_error(exc: OSError) -> None:
        found.unreadable.append((Path(exc.filename or input_dir), f"cannot read folder: {exc.strerror or exc}"))

    def outside(path: str) -> bool:
        real = os.path.realpath(path)
        return os.path.commonpath([root_real, real]) != root_real

    for root, dirs, files in os.walk(input_dir, onerror=on_error, followlinks=follow_symlinks):
        keep = []
        for d in dirs:
            path = os.path.join(root, d)
            if d.startswith("."):
                continue   # prune, don't descend
            if excluded is not None and os.path.realpath(path) == excluded:
                found.skipped.append((Path(path), "the run's output folder (--out): not read as input"))
                continue
            if os.path.islink(path):
                if not outside(path):
                    continue   # its files are listed through their real folder
                if not follow_symlinks:
                    found.skipped.append((Path(path), _LINK_SKIPPED))
                    continue
                real = os.path.realpath(path)
                if real in seen_dirs:
                    continue
                seen_dirs.add(real)
            keep.append(d)
        dirs[:] = keep
        for name in files:
            if name.startswith("."):
                continue
            path = Path(root, name)
            if os.path.islink(path):
                if not os.path.exists(path):
                    found.skipped.append((path, "broken symbolic link: skipped"))
                    continue
                if not follow_symlinks and outside(str(path)):
                    found.skipped.append((path, _LINK_SKIPPED))
                    continue
            if path.suffix.lower() not in suffixes:
                found.skipped.append((path, not_an_article))
                continue
            special = _not_regular(path)
            if special:
                found.skipped.append((path, f"not a regular file ({special}): skipped"))
                continue
            found.articles.append(path)
    key = lambda p: p.relative_to(input_dir).as_posix()  # noqa: E731
    found.articles.sort(key=key)
    found.skipped.sort(key=lambda s: key(s[0]))
    found.unreadable.sort(key=lambda s: key(s[0]))
    return found


def _not_regular(path: Path) -> str | None:
    """What a path is when it is no regular file (links followed), else None."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"cannot stat: {exc.strerror or exc}"
    if stat.S_ISREG(mode):
        return None
    return ("a FIFO" if stat.S_ISFIFO(mode) else "a character device" if stat.S_ISCHR(mode)
            else "a block device" if stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a folder" if stat.S_ISDIR(mode) else "a special file")


def open_regular(path: Path):
    """A binary file object for `path`, refusing (OSError) anything but a regular
    file: opened non-blocking, so a FIFO put in place after discovery cannot hang."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"not a regular file (FIFO, device or socket): {path}")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def article_key(rel: str) -> str:
    """The article key of a relative path: the path itself, or, for a name that
    is not UTF-8 (bytes kept by os.fsdecode as surrogates, as archives unzipped
    from Windows make), the name decoded as GB18030 or Big5 when that reads as
    Chinese, else with its bytes written as \\xNN.  Keys are written to
    Parquet and JSON, which hold only UTF-8."""
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        pass
    raw = os.fsencode(rel)
    for codec in _LEGACY_FALLBACKS:
        text = _try_decode(raw, codec)
        if text is not None and not _CONTROL.search(text):
            return text
    return escaped_key(rel)


def escaped_key(rel: str) -> str:
    """A non-UTF-8 name with its bytes written as \\xNN."""
    return os.fsencode(rel).decode("utf-8", "backslashreplace")


_LINK_SKIPPED = "symbolic link to outside the input folder: not followed (use --follow-symlinks to read it)"


def read_article(path: Path, rel: str, max_bytes: int = 20_000_000) -> RawArticle:
    """Read and decode one article; raises LoadError."""
    data = read_bytes(path, max_bytes)
    text, encoding, warnings = decode_with_warnings(data)
    fmt = "md" if path.suffix.lower() == ".md" else "txt"
    return RawArticle(rel, text, hashlib.sha256(data).hexdigest(), encoding, len(data), tuple(warnings),
                      input_format=fmt)


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """A file's bytes, refusing (LoadError) one larger than max_bytes."""
    try:
        size = path.stat().st_size
        if size > max_bytes:  # checked before reading: never load a huge file
            raise LoadError("too_large", f"file is {size:,} bytes, over the --max-bytes limit of "
                                         f"{max_bytes:,} (the only size limit: raise it to read the file)")
        with open_regular(path) as f:
            data = f.read(max_bytes + 1)  # +1: the file may have grown since stat
    except OSError as e:
        raise LoadError("unreadable", f"cannot read file: {e.strerror or e}") from e
    if len(data) > max_bytes:
        raise LoadError("too_large", f"file grew past the --max-bytes limit of {max_bytes:,} bytes")
    return data


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) or raises LoadError; see decode_with_warnings."""
    text, encoding, _ = decode_with_warnings(data)
    return text, encoding


def decode_with_warnings(data: bytes, declared: str | None = None) -> tuple[str, str, list[str]]:
    """(text, encoding, warnings) or raises LoadError.  Newlines are universal
    ("\\r\\n" and "\\r" become "\\n"), i.e. text == open(path, encoding=encoding,
    errors="replace").read().  `declared`: a charset the file names itself (an
    HTML meta tag), tried after a BOM and before detection."""
    if not data.strip():
        raise LoadError("empty", "empty file" if not data else "file contains only whitespace")
    text, encoding, warnings = _decode_raw(data, declared)
    # Downstream character offsets are checked against open().read(), which
    # applies universal newlines; mirror it exactly.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():  # e.g. whitespace-only UTF-16
        raise LoadError("empty", "file contains only whitespace")
    n_control = len(_CONTROL.findall(text))
    if n_control > _MAX_CONTROL_SHARE * len(text):
        raise LoadError("binary", f"binary file ({n_control} control characters in {len(text)})")
    return text, encoding, warnings


def _decode_raw(data: bytes, declared: str | None = None) -> tuple[str, str, list[str]]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            # a BOM is a declaration: this encoding or nothing (decoded after the BOM, so
            # bad-byte offsets count from the start of the file)
            text, bad = _decode_replacing(data[len(bom):], _AFTER_BOM[bom])
            bad = [(s + len(bom), e + len(bom)) for s, e in bad]
            if not bad:
                return text, encoding, []
            if _few(bad, len(data)):
                return text, encoding, [_replaced_warning(encoding, bad)]
            raise LoadError("undecodable", f"invalid {encoding} despite its BOM: {_bad_summary(bad, data)}")

    tried: list[str] = []
    nul = data.find(b"\x00")
    if nul >= 0:
        # NULs in text only occur in BOM-less UTF-16, where ASCII characters put
        # (nearly) all of them on odd (LE) or on even (BE) offsets.
        for encoding in _utf16_by_nul_parity(data):
            found = _lenient(data, encoding, tried)
            if found is not None and len(_CONTROL.findall(found[0])) <= _MAX_CONTROL_SHARE * len(found[0]):
                return found
        n_nul = data.count(b"\x00")
        if not _few([(i, i + 1) for i in range(n_nul)], len(data)):
            where = "in first 8 KiB" if nul < 8192 else f"at byte {nul}"
            raise LoadError("binary", f"binary file (NUL bytes {where}, {n_nul} in all"
                                      + (f"; tried {'; '.join(tried)})" if tried else ")"))
        # A few stray NULs in text (a truncated write, a bad sector) do not make it binary.
        # The encoding is found with spaces in their place (both one ASCII byte in every
        # codec we try here, never part of a multibyte character), then the bytes are
        # decoded as they are: U+0000 stays, so offsets are those of open().read().
        _, encoding, warnings = _decode_raw(data.replace(b"\x00", b" "), declared)
        if encoding.startswith(("utf-16", "utf-32")):
            raise LoadError("binary", f"binary file ({n_nul} NUL bytes, and no UTF-16 text)")
        text, _ = _decode_replacing(data, encoding)
        offsets = [i for i, b in enumerate(data) if b == 0][:_SHOW_OFFSETS]
        return text, encoding, warnings + [
            f"{n_nul} NUL byte{'s' if n_nul != 1 else ''} in the text, at byte offset{'s' if n_nul != 1 else ''} "
            f"{', '.join(map(str, offsets))}{' …' if n_nul > _SHOW_OFFSETS else ''}: kept as U+0000"]

    # A declaration is believed only if it decodes strictly and, for a legacy
    # codec, plausibly: pages declaring GBK while being UTF-8 (or the reverse) are common.
    codec = _declared_codec(declared)
    if codec is not None and (text := _try_decode(data, codec)) is not None:
        return text, codec, []

    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass

    best = charset_normalizer.from_bytes(data).best()
    guess = best.encoding if best else None
    candidates = [_CHINESE_CODECS[guess]] if guess in _CHINESE_CODECS else []
    candidates += [c for c in _LEGACY_FALLBACKS if c not in candidates]
    for encoding in candidates:
        if (text := _try_decode(data, encoding)) is not None:
            return text, encoding, []
    if len(data) % 2 == 0:
        # UTF-16 text of Han characters only has no NUL to give it away
        for encoding in ("utf-16-le", "utf-16-be"):
            if (text := _try_decode(data, encoding)) is not None and not _CONTROL.search(text):
                return text, encoding, []

    # Nothing decodes cleanly: keep the candidate with the fewest bad bytes, if they are few.
    tried = []
    kept = []
    for encoding in ["utf-8", *candidates]:
        found = _lenient(data, encoding, tried)
        if found is not None:
            kept.append((_record.n_bad, len(kept), found))
    if kept:
        return min(kept)[2]
    raise LoadError("undecodable", f"no encoding fits (charset-normalizer guess: {guess or 'none'}): "
                                   + "; ".join(tried))


def _lenient(data: bytes, encoding: str, tried: list[str]) -> tuple[str, str, list[str]] | None:
    """(text, encoding, [warning]) when `encoding` decodes all but a few bytes into
    plausible text; else None, with why appended to `tried`."""
    text, bad = _decode_replacing(data, encoding)
    if bad and not _few(bad, len(data)):
        tried.append(f"{encoding}: {_bad_summary(bad, data)}")
        return None
    if encoding != "utf-8" and not _plausible(text):
        tried.append(f"{encoding}: decodes, but not to plausible Chinese text")
        return None
    return text, encoding, [_replaced_warning(encoding, bad)] if bad else []


_record = threading.local()


def _record_bad(exc: UnicodeDecodeError) -> tuple[str, int]:
    """Codec error handler: what errors="replace" does, remembering where."""
    _record.spans.append((exc.start, exc.end))
    return "\ufffd", exc.end


codecs.register_error("extract-replace", _record_bad)


def _decode_replacing(data: bytes, encoding: str) -> tuple[str, list[tuple[int, int]]]:
    """(text with U+FFFD for each bad sequence, [(start, end) byte spans of them])."""
    _record.spans = []
    text = data.decode(encoding, errors="extract-replace")
    _record.n_bad = sum(e - s for s, e in _record.spans)   # of the latest decode, for ranking candidates
    return text, _record.spans


def _few(bad: list[tuple[int, int]], size: int) -> bool:
    n = sum(e - s for s, e in bad)
    return n <= _MAX_BAD_SHARE * size or (n <= _FEW_BAD_BYTES and n <= _FEW_BAD_SHARE * size)


def _bad_summary(bad: list[tuple[int, int]], data: bytes) -> str:
    s, e = bad[0]
    n = sum(e2 - s2 for s2, e2 in bad)
    return f"{n:,} bad bytes of {len(data):,}, the first at byte {s} (0x{data[s:e].hex(' ')})"


def _replaced_warning(encoding: str, bad: list[tuple[int, int]]) -> str:
    n = sum(e - s for s, e in bad)
    offsets = ", ".join(str(s) for s, _ in bad[:_SHOW_OFFSETS]) + (" …" if len(bad) > _SHOW_OFFSETS else "")
    return (f"decoded as {encoding} with {n} undecodable byte{'s' if n != 1 else ''} in {len(bad)} "
            f"place{'s' if len(bad) != 1 else ''} replaced by U+FFFD, at byte offset{'s' if len(bad) != 1 else ''} "
            f"{offsets}")


def _utf16_by_nul_parity(data: bytes) -> list[str]:
    """UTF-16 byte orders to try, likelier first: ASCII puts its NULs on odd offsets
    in LE, even in BE (a Han character such as 一 U+4E00 adds one on the other side)."""
    if len(data) % 2:
        return []
    odd, even = data[1::2].count(0), data[0::2].count(0)
    return ["utf-16-le", "utf-16-be"] if odd >= even else ["utf-16-be", "utf-16-le"]


def _declared_codec(declared: str | None) -> str | None:
    """The codec we decode a declared charset with: UTF-8 or a Chinese codec
    (as a superset, see _CHINESE_CODECS); None for anything else, which then
    goes through detection (a page declaring latin-1 is usually GBK in fact)."""
    if not declared:
        return None
    try:
        name = codecs.lookup(declared.strip().lower().removeprefix("x-")).name  # x-gbk
    except LookupError:
        return None
    if name == "utf-8":
        return "utf-8"
    return _CHINESE_CODECS.get(name.replace("-", "_"))


def _try_decode(data: bytes, encoding: str) -> str | None:
    """Strict decode that is also *plausible*: legacy codecs accept almost any
    byte soup (UTF-8 Chinese decodes "cleanly" as GB18030 mojibake), so a
    decode only counts if its non-ASCII characters are mostly common Chinese."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return text if _plausible(text) else None


def _plausible(text: str) -> bool:
    non_ascii = [c for c in text if ord(c) > 0x7F and c != "\ufffd"]
    common = sum(map(_is_common, non_ascii))
    return common >= _MIN_COMMON_SHARE * len(non_ascii)


@lru_cache(maxsize=65536)
def _is_common(char: str) -> bool:
    """In GB2312 (common simplified characters and CJK punctuation) once
    converted to simplified script, so traditional text qualifies too."""
    try:
        to_simplified(char).encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True
