"""`extract report`: a self-contained HTML page, checked as text and in headless Chromium.

The browser tests need Debian's chromium (/usr/bin/chromium; .ci/run installs
it).  Without it they skip locally and fail in CI (CI=true).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from extract.cli import main
from extract.report.page import build_report, input_dir_from_manifest, json_for_script

ROOT = Path(__file__).resolve().parents[1]

# Untrusted markup in the title, header and body; an astral character (two
# UTF-16 units) before claims, to check the JS offsets.
XSS_ARTICLE = "\n".join([
    "辽宁新闻 > 正文",
    "",
    "鞍山市集团化办学<script>window.__pwned=1</script>成效显著</script><!--",
    "",
    "2022-04-13 17:35:10  来源:<b>测试网</b>",
    "",
    "  2021年,辽宁省鞍山市组建教育集团35个<img src=x onerror=\"window.__pwned=2\">,覆盖学校120所。"
    "𠀀𠀁鞍山市现有教师3200人</textarea>&lt;b&gt;\u2028。",
    "  <a href=\"javascript:window.__pwned=3\">链接</a>全市新增学位4500个",
    "",
])
XSS_NAME = "999_xss.txt"


@pytest.fixture(scope="module")
def run_dirs(tmp_path_factory) -> tuple[Path, Path]:
    """(input folder = seeds + the hostile article, output folder of a run over it)."""
    from extract.pipeline import Extractor
    from extract.runs.run import run
    base = tmp_path_factory.mktemp("report")
    inp, out = base / "in", base / "out"
    shutil.copytree(ROOT / "seeds", inp)
    (inp / XSS_NAME).write_text(XSS_ARTICLE, encoding="utf-8")
    run(inp, out, Extractor(), progress=False)
    (out / "run.json").unlink(missing_ok=True)  # the tests say where the articles are
    return inp, out


@pytest.fixture(scope="module")
def report(run_dirs, tmp_path_factory) -> Path:
    inp, out = run_dirs
    return build_report(out, inp, tmp_path_factory.mktemp("html") / "report.html")


@pytest.fixture(scope="module")
def xss_claims(run_dirs) -> list[dict]:
    rows = [c for c in pq.read_table(run_dirs[1] / "claims.parquet").to_pylist() if c["article"] == XSS_NAME]
    assert len(rows) >= 3, "the hostile article should yield claims (it is highlighted like any other)"
    return rows


# ---------------------------------------------------------------- page as text

def test_json_for_script_escapes_markup():
    s = json_for_script({"t": "</script><!--<script>&\u2028\u2029"})
    assert not set("<>&") & set(s) and "\u2028" not in s and "\u2029" not in s
    assert json.loads(s) == {"t": "</script><!--<script>&\u2028\u2029"}


def test_page_is_self_contained_and_escaped(report):
    page = report.read_text(encoding="utf-8")
    assert page.count("<script") == 3  # error hook, data (application/json), app
    assert "window.__pwned" in page     # the data is there ...
    assert "<script>window.__pwned" not in page and "<img" not in page and "<b>" not in page  # ... never as markup
    assert re.search(r'<meta http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;', page)
    # nothing is fetched: no src/href attributes in the page's markup and code, no URLs but the SVG namespace
    code = re.sub(r'(<script type="application/json" id="report-data">).*?(</script>)', r"\1\2", page, flags=re.S)
    assert "src=x" in page and not re.search(r"\s(src|href)\s*=", code)
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls


def test_data_block_round_trips(report, xss_claims):
    page = report.read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    data = json.loads(m.group(1))
    art = next(a for a in data["articles"] if a["path"] == XSS_NAME)
    assert "<script>window.__pwned=1</script>" in art["title"] and art["source"] == "<b>测试网</b>"
    claims = [c for c in data["claims"] if c["article"] == XSS_NAME]
    assert len(claims) == len(xss_claims)
    for c in claims:  # JS (UTF-16) offsets select the same text
        u16 = art["text"].encode("utf-16-le")
        assert u16[2 * c["js_start"]:2 * c["js_end"]].decode("utf-16-le") == c["text"]
    assert any(c["js_start"] != c["start"] for c in claims)  # the astral characters shifted some


def test_manifest_input_dir(tmp_path):
    assert input_dir_from_manifest(tmp_path) is None
    (tmp_path / "run.json").write_text(json.dumps({"format": 1, "input": str(ROOT / "seeds")}), encoding="utf-8")
    assert input_dir_from_manifest(tmp_path) == ROOT / "seeds"
    (tmp_path / "run.json").write_text(json.dumps({"format": 1, "input": str(tmp_path / "gone")}), encoding="utf-8")
    assert input_dir_from_manifest(tmp_path) is None


def test_cli_needs_articles_without_manifest(run_dirs, tmp_path):
    inp, out = run_dirs
    r = CliRunner().invoke(main, ["report", str(out), "--output", str(tmp_path / "r.html")])
    assert r.exit_code == 2 and "--articles" in r.output
    r = CliRunner().invoke(main, ["report", str(out), "--articles", str(inp), "--output", str(tmp_path / "r.html")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "r.html").stat().st_size > 10_000


def test_missing_texts_still_list_claims(run_dirs, tmp_path):
    _, out = run_dirs
    path = build_report(out, tmp_path / "empty_input", tmp_path / "r.html")
    page = path.read_text(encoding="utf-8")
    assert "Article file not found" in page


# ---------------------------------------------------------------- in the browser

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--virtual-time-budget=10000"]


def chromium_path() -> str | None:
    for cand in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if cand and os.access(cand, os.X_OK):
            return cand
    return None


@pytest.fixture(scope="module")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is missing in CI: .ci/run should have installed it (apt-get install chromium)")
        pytest.skip("chromium not installed (apt-get install chromium): browser tests skipped outside CI")
    return path


def run_chromium(chromium: str, *args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=120, errors="replace")


@pytest.fixture(scope="module")
def selftest(chromium, report) -> dict:
    proc = run_chromium(chromium, "--enable-logging=stderr", "--v=0", "--dump-dom", report.as_uri() + "#selftest")
    m = re.search(r'<pre id="selftest-result"[^>]*>(.*?)</pre>', proc.stdout, re.S)
    assert m, f"self-test did not run; chromium stderr:\n{proc.stderr[-3000:]}"
    import html
    result = json.loads(html.unescape(m.group(1)))
    result["_dom"] = proc.stdout
    result["_console"] = [ln for ln in proc.stderr.splitlines() if "CONSOLE" in ln or "Uncaught" in ln
                          or "Content Security Policy" in ln or "Refused to" in ln]
    return result


def test_loads_without_errors(selftest):
    assert selftest["errors"] == []
    assert selftest["_console"] == []
    assert selftest["claims"] > 0 and selftest["articles"] == len(list((ROOT / "seeds").glob("*.txt"))) + 1


def test_every_claim_is_highlighted(selftest):
    assert selftest["marksBefore"] >= selftest["visibleBefore"] == selftest["claims"]
    assert selftest["placedMismatch"] == 0 and selftest["unplaced"] == 0


def test_filter_changes_what_is_shown(selftest):
    assert 0 < selftest["visibleAfter"] < selftest["visibleBefore"]
    assert 0 < selftest["marksAfter"] < selftest["marksBefore"]
    assert selftest["marksAfterCategories"] == [selftest["filterCategory"]]
    assert selftest["hiddenArticlesOnly"] > 0       # "only articles with shown claims" hides some
    assert selftest["filterCategory"] in selftest["detail"]  # clicking a highlight shows the claim
    assert selftest["chartBars"] == 1               # the category chart follows the filter
    assert selftest["visibleReset"] == selftest["claims"]
    assert selftest["timelinePoints"] > 0


def test_click_underlines_the_words_behind_the_fields(selftest):
    # the claim clicked has words behind its fields (its category keyword at least), and
    # the text underlines exactly those words, field by field
    assert selftest["clickedWords"], selftest["detail"]
    assert selftest["underlinedWords"] == selftest["clickedWords"]
    assert "category cue" in selftest["detail"]


def test_words_behind_fields_in_the_data(report):
    page = report.read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S).group(1))
    placed = [c for c in data["claims"] if c.get("js_start") is not None]
    texts = {a["path"]: a["text"].encode("utf-16-le") for a in data["articles"] if a["text"] is not None}
    with_words = [c for c in placed if c["words"]]
    assert len(with_words) > 0.9 * len(placed)
    for c in with_words:
        for w in c["words"]:    # JS (UTF-16) offsets select the words
            assert texts[c["article"]][2 * w["js_start"]:2 * w["js_end"]].decode("utf-16-le") == w["text"]
    fields = {w["field"] for c in with_words for w in c["words"]}
    assert fields == {"region", "year", "category", "kind", "target"}


def test_hostile_article_is_text_and_nothing_runs(selftest):
    assert selftest["pwned"] is False
    assert selftest["images"] == 0 and selftest["scripts"] == 3
    body = selftest["bodyText"]
    assert "<script>window.__pwned=1</script>" in body
    assert '<img src=x onerror="window.__pwned=2">' in body
    assert '<a href="javascript:window.__pwned=3">' in body and "&lt;b&gt;" in body
    assert "<script>window.__pwned=1</script>" in selftest["titles"]
    dom = selftest["_dom"]
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in dom
    assert "<img" not in dom and "<b>测试网" not in dom and '<a href' not in dom


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_screenshot(chromium, report):
    shot = report.with_name("report.png")
    proc = run_chromium(chromium, "--window-size=1400,1000", f"--screenshot={shot}", report.as_uri())
    assert shot.is_file() and shot.stat().st_size > 20_000, proc.stderr[-2000:]
    assert png_size(shot) == (1400, 1000)
    keep = os.environ.get("REPORT_SCREENSHOT")  # to look at it: REPORT_SCREENSHOT=/tmp/report.png pytest ...
    if keep:
        shutil.copy(shot, keep)
