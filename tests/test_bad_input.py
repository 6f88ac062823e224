"""A batch with bad files finishes, reports each bad file once, and keeps the good ones;
a broken user rule file stops `extract run` before anything is written."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from conftest import ROOT, SEEDS_DIR

GOOD_SEED = "000_14fc7bdd4a8062e9.txt"     # copied as is (UTF-8)
GBK_SEED = "002_86fa24c557d32593.txt"      # re-encoded as GBK (every character is in GBK)
MAX_BYTES = 30_000                         # all files but too_large.txt are below it
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
       b"\x1f\xf3\xffa\x00\x00\x00\x00IEND\xaeB`\x82") * 20

# file -> (stage, severity, words the reason must contain)
BAD = {
    "empty.txt": ("load", "error", ["empty"]),
    "image.txt": ("load", "error", ["binary", "NUL"]),
    "garbled.txt": ("load", "error", ["no encoding fits", "utf-8", "gb18030", "big5hkscs"]),
    "too_large.txt": ("load", "error", ["bytes", f"{MAX_BYTES:,}", "--max-bytes"]),
    "report.pdf": ("skip", "warning", ["not an article"]),
    # three stray bytes in a good article: kept, with U+FFFD in their place and a warning
    "broken_utf8.txt": ("load", "warning", ["utf-8", "3 undecodable bytes", "replaced by U+FFFD", "offsets"]),
}
KEPT = {"good.txt", "gbk.txt", "broken_utf8.txt"}


@pytest.fixture(scope="module")
def batch(tmp_path_factory, extractor):
    from extract.runs.run import run
    src = tmp_path_factory.mktemp("bad_batch_in")
    shutil.copy(SEEDS_DIR / GOOD_SEED, src / "good.txt")
    gbk_text = (SEEDS_DIR / GBK_SEED).read_text(encoding="utf-8")
    (src / "gbk.txt").write_bytes(gbk_text.encode("gbk"))
    (src / "empty.txt").write_bytes(b"")
    (src / "image.txt").write_bytes(PNG)
    utf8 = (SEEDS_DIR / GOOD_SEED).read_bytes()
    middle = len(utf8) // 2
    while utf8[middle] & 0xC0 == 0x80:  # land on a character boundary
        middle += 1
    (src / "broken_utf8.txt").write_bytes(utf8[:middle] + b"\xff\xfe\xfa" + utf8[middle:])
    (src / "garbled.txt").write_bytes(bytes(b ^ 0x5A if i % 3 else b for i, b in enumerate(utf8)))
    (src / "too_large.txt").write_bytes(utf8 * (MAX_BYTES // len(utf8) + 1))
    (src / "report.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    assert all(os.path.getsize(src / n) < MAX_BYTES for n in ("good.txt", "gbk.txt", "broken_utf8.txt"))
    out = tmp_path_factory.mktemp("bad_batch_out")
    summary = run(src, out, extractor, max_bytes=MAX_BYTES, progress=False)
    tables = {name: pq.read_table(out / f"{name}.parquet").to_pylist()
              for name in ("claims", "articles", "errors", "entities")}
    return {"src": src, "out": out, "summary": summary, "gbk_text": gbk_text, **tables}


def test_errors_one_row_per_bad_file(batch):
    by_path: dict[str, list] = {}
    for row in batch["errors"]:
        by_path.setdefault(row["path"], []).append(row)
    assert sorted(by_path) == sorted(BAD), batch["errors"]
    for path, (stage, severity, words) in BAD.items():
        rows = by_path[path]
        assert len(rows) == 1, rows
        assert (rows[0]["stage"], rows[0]["severity"]) == (stage, severity), rows[0]
        for w in words:
            assert w in rows[0]["reason"], (path, w, rows[0]["reason"])


def test_good_and_gbk_files_have_claims(batch):
    per = {}
    for c in batch["claims"]:
        per[c["article"]] = per.get(c["article"], 0) + 1
    assert set(per) == KEPT, per
    assert all(n >= 5 for n in per.values()), per


def test_articles_lists_every_article_with_status(batch):
    rows = {a["path"]: a for a in batch["articles"]}
    articles = sorted(n for n in os.listdir(batch["src"]) if n.endswith(".txt"))
    assert sorted(rows) == articles
    for name in KEPT:
        assert rows[name]["status"] == "ok", rows[name]
        assert rows[name]["claims"] > 0
    for name in BAD:
        if name in rows and name not in KEPT:
            assert rows[name]["status"] == "error", rows[name]
            assert rows[name]["claims"] == 0
    assert rows["good.txt"]["encoding"] == "utf-8"
    assert rows["gbk.txt"]["encoding"] in ("gb18030", "gbk", "gb2312"), rows["gbk.txt"]


@pytest.mark.parametrize("name, seed", [("good.txt", GOOD_SEED), ("gbk.txt", GBK_SEED)])
def test_claims_match_the_seed_run(batch, seed_claims, name, seed):
    """The copy, and the GBK re-encoding (decoded to the same text), give the seed's
    claims at the same offsets: the bad files beside them change nothing."""
    key = lambda c: (c["start"], c["end"], c["text"], c["value"], c["unit"], c["qualifier"])  # noqa: E731
    got = sorted(key(c) for c in batch["claims"] if c["article"] == name)
    want = sorted(key(c) for c in seed_claims if c["article"] == seed)
    assert got == want


def test_gbk_claim_spans(batch):
    for c in batch["claims"]:
        if c["article"] == "gbk.txt":
            assert batch["gbk_text"][c["start"]:c["end"]] == c["text"]


def test_summary_counts(batch):
    s = batch["summary"]
    assert s.claims == len(batch["claims"])
    assert s.skipped == 1
    assert s.errors == s.failed == sum(sev == "error" for _, sev, _ in BAD.values())
    assert s.warnings == 1   # the .pdf is a skip, not an article; its row is not counted


# --------------------------------------------------------------------------- broken rule files

BROKEN_RULES = {
    "bad_yaml": ("rules:\n  - id: user.bad_yaml\n    description: x\n    pattern: '(?P<num>\\d+)\n"
                 "    priority: [\n", None, ["bad YAML"]),
    "bad_regex": ("rules:\n  - id: user.bad_regex\n    description: an unclosed group\n"
                  "    pattern: '(?P<num>\\d+'\n", "user.bad_regex", ["bad regex"]),
    "unknown_field": ("rules:\n  - id: user.unknown_field\n    description: x\n"
                      "    pattern: '(?P<num>\\d+)(?P<unit>生)'\n    colour: red\n",
                      "user.unknown_field", ["colour"]),
}


@pytest.mark.parametrize("case", sorted(BROKEN_RULES))
def test_broken_rule_file_stops_the_run(tmp_path, case):
    text, rule_id, words = BROKEN_RULES[case]
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    rule_file = rules_dir / f"{case}.yaml"
    rule_file.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "extract", "run", str(SEEDS_DIR), "--rules", str(rules_dir),
                           "--out", str(out), "--no-progress"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    message = proc.stderr
    assert proc.returncode != 0, (proc.stdout, proc.stderr)
    assert f"{case}.yaml" in message, message
    if rule_id:
        assert rule_id in message, message
    for w in words:
        assert w in message, message
    assert "Traceback" not in message, message
    assert not (out / "claims.parquet").exists()
