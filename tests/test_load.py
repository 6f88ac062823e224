import hashlib
from pathlib import Path

import pytest

from extract.inputs.load import LoadError, decode, discover, read_article

TEXT = "2023年，全市共有中小学校1200所，在校学生约56.3万人。\n比上年增长3.5%。\n"
TRAD = "2023年，全市共有中小學校1200所，在校學生約56.3萬人。\n比上年增長3.5%。\n"


def write(tmp_path: Path, data: bytes, name: str = "a.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def load(tmp_path: Path, data: bytes, **kw):
    return read_article(write(tmp_path, data), "a.txt", **kw)


def assert_reason(reason: str, tmp_path: Path, data: bytes, **kw) -> LoadError:
    with pytest.raises(LoadError) as info:
        load(tmp_path, data, **kw)
    assert info.value.reason == reason
    return info.value


@pytest.mark.parametrize(
    "data, encoding",
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gbk"), "gb18030"),
        ((TEXT + "𠀀€").encode("gb18030"), "gb18030"),  # 4-byte GB18030 sequences
        (TEXT.encode("utf-16"), "utf-16"),  # Python writes a BOM
        (TEXT.encode("utf-32"), "utf-32"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),  # BOM-less: NUL parity
        (TRAD.encode("big5"), "big5hkscs"),
        (TRAD.encode("gbk"), "gb18030"),  # traditional script in GBK
    ],
)
def test_encodings(tmp_path, data, encoding):
    art = load(tmp_path, data)
    assert art.encoding == encoding
    assert art.text.rstrip("€𠀀") in (TEXT, TRAD)
    assert art.text == (tmp_path / "a.txt").open(encoding=encoding).read()
    assert art.n_bytes == len(data)
    assert art.sha256 == hashlib.sha256(data).hexdigest()
    assert art.path == "a.txt"


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "utf-16"])
@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_newlines_match_open_read(tmp_path, encoding, newline):
    data = TEXT.replace("\n", newline).encode(encoding) + "末行\r\n\r\r\n".encode(encoding)
    art = load(tmp_path, data)
    assert art.text == (tmp_path / "a.txt").open(encoding=art.encoding).read()
    assert "\r" not in art.text


def test_empty_and_whitespace(tmp_path):
    assert str(assert_reason("empty", tmp_path, b"")) == "empty file"
    assert_reason("empty", tmp_path, b" \r\n\t\n")
    assert_reason("empty", tmp_path, "\u3000\n".encode("gbk"))
    assert_reason("empty", tmp_path, " \n".encode("utf-16"))


def test_binary(tmp_path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256))
    err = assert_reason("binary", tmp_path, png)
    assert str(err).startswith("binary file (NUL bytes in first 8 KiB")
    assert_reason("binary", tmp_path, bytes(range(1, 32)) * 10)  # control soup, no NUL


def test_a_few_bad_bytes_are_replaced_with_a_warning(tmp_path):
    head, tail = TEXT[:12].encode("utf-8"), TEXT[12:].encode("utf-8")
    art = load(tmp_path, head + b"\xff\xfe" + tail)
    assert art.encoding == "utf-8"
    assert art.text == TEXT[:12] + "\ufffd\ufffd" + TEXT[12:]
    assert art.text == (tmp_path / "a.txt").open(encoding="utf-8", errors="replace").read()
    (warning,) = art.warnings
    assert "utf-8" in warning and "2 undecodable bytes" in warning and f"offsets {len(head)}, {len(head) + 1}" in warning
    # a multi-byte sequence cut in the middle: its stray continuation bytes are replaced
    art = load(tmp_path, head + tail[1:])
    assert f"offsets {len(head)}, {len(head) + 1}" in art.warnings[0]


@pytest.mark.parametrize("codec, text, expected", [("gbk", TEXT, "gb18030"), ("big5", TRAD, "big5hkscs")])
def test_legacy_encoding_with_one_bad_byte_is_kept(tmp_path, codec, text, expected):
    data = (text * 3).encode(codec)
    cut = len(text[:12].encode(codec))
    art = load(tmp_path, data[:cut] + b"\x80" + data[cut:])
    assert art.encoding == expected
    assert art.text.count("\ufffd") == 1 and art.text.replace("\ufffd", "") == text * 3
    assert f"decoded as {expected}" in art.warnings[0] and f"offset {cut}" in art.warnings[0]


def test_mostly_undecodable_is_rejected_naming_the_encodings_tried(tmp_path):
    data = TEXT.encode("utf-8")
    garbled = bytes(b ^ 0x5A if i % 3 else b for i, b in enumerate(data)) + bytes(range(0x80, 0x100))
    err = assert_reason("undecodable", tmp_path, garbled)
    for name in ("utf-8", "gb18030", "big5hkscs"):
        assert name in str(err)
    assert "bad bytes" in str(err)


def test_utf16_without_bom(tmp_path):
    # 一 (U+4E00) puts a NUL on the "wrong" parity; Han-only text has no NUL at all
    for text in (TEXT + "一中一小一二三\n", "全市共有中小学校在校学生约一万人"):
        for codec in ("utf-16-le", "utf-16-be"):
            art = load(tmp_path, text.encode(codec))
            assert (art.encoding, art.text, art.warnings) == (codec, text, ())


def test_decode_is_usable_without_files():
    assert decode(TEXT.encode("gbk")) == (TEXT, "gb18030")
    with pytest.raises(LoadError):
        decode(b"\xef\xbb\xbf\xff")  # BOM says UTF-8, bytes disagree


def test_too_large(tmp_path):
    err = assert_reason("too_large", tmp_path, TEXT.encode("utf-8"), max_bytes=10)
    assert "10" in str(err) and f"{len(TEXT.encode('utf-8')):,}" in str(err)


def test_unreadable(tmp_path):
    with pytest.raises(LoadError) as info:
        read_article(tmp_path / "missing.txt", "missing.txt")
    assert info.value.reason == "unreadable"


def test_discover(tmp_path):
    for rel in ["b.txt", "a/z.md", "a/c.TXT", "a/img.png", "notes.docx",
                ".hidden.txt", ".git/x.txt", "a/.cache/y.md"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    articles, skipped = discover(tmp_path)
    rel = lambda ps: [p.relative_to(tmp_path).as_posix() for p in ps]  # noqa: E731
    assert rel(articles) == ["a/c.TXT", "a/z.md", "b.txt"]
    assert rel(skipped) == ["a/img.png", "notes.docx"]
