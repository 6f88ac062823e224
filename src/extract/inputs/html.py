"""Saved web pages -> RawArticle: the page's main text and its metadata.

The main text comes from trafilatura, which drops boilerplate (menus, link
lists, footers, "related reading"): a navigation bar naming other cities
must not become the article's regions.  Its metadata gives the title, the
publication date (htmldate, from the markup only), the URL
(canonical link or og:url) and the site name.

The stored text is the page title on the first line, a blank line, then the
main text -- the layout of a saved .txt article, so the segmenter reads the
title as the header and title claims are found.  Claim offsets refer to this
text, which the run keeps in articles.parquet (`text`).
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from extract.inputs.load import LoadError, RawArticle, decode_with_warnings, read_bytes
from extract.inputs.dates import parse_date

# WHATWG sniffs the charset from the first 1024 bytes; saved pages put long
# scripts or comments first more often than that, so look a little further.
_SNIFF_BYTES = 4096
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in a <meta> tag (charset= or http-equiv
    content="...; charset=") or an XML declaration, if any."""
    head = data[:_SNIFF_BYTES]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return m.group(1).decode("ascii") if m else None


def read_html(path: Path, rel: str, max_bytes: int = 20_000_000) -> RawArticle:
    """Read, decode and extract one page; raises LoadError."""
    data = read_bytes(path, max_bytes)
    # BOM first, then the declared charset, then the text files' detection (load.decode).
    markup, encoding, warnings = decode_with_warnings(data, declared=declared_charset(data))
    title, body, meta = extract_main_text(markup)
    text = f"{title}\n\n{body}" if title and not body.startswith(title) else body
    try:
        published = parse_date(meta.get("date"))
    except ValueError:
        published = None  # htmldate only returns dates it validated; never guess past it
    return RawArticle(rel, text, hashlib.sha256(data).hexdigest(), encoding, len(data), tuple(warnings),
                      url=meta.get("url"), title_given=title, published_given=published,
                      input_format="html", site_given=meta.get("sitename"))


def extract_main_text(markup: str) -> tuple[str | None, str, dict]:
    """(title, main text, metadata) of a decoded page; LoadError when the
    page cannot be parsed or has no main text."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            markup, with_metadata=True, include_comments=False, include_tables=True,
            # The date the page was first published, from its markup only (meta tags,
            # JSON-LD, <time>, URL): htmldate's search of the visible text turns a
            # body's "2018年" into 2018-01-01, and a given date outranks the text's.
            date_extraction_params={"original_date": True, "extensive_search": False},
        )
    except Exception as exc:  # lxml and trafilatura raise many types on broken markup
        raise LoadError("unparseable", f"HTML could not be parsed: {type(exc).__name__}: {exc}") from exc
    if doc is None:
        raise LoadError("unparseable", "HTML has no main text (not a page, or only navigation)")
    meta = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    body = (meta.get("text") or "").strip()
    if not body:
        raise LoadError("empty", "HTML page has no main text")
    title = (meta.get("title") or "").strip() or None
    if title and "\n" in title:
        title = " ".join(title.split())
    return title, body, meta
