"""`extract evaluate` checks the gold file (issue 18, part 6): every problem by
line and no traceback; gold claims of articles the run did not read are
skipped with a warning; entity and subject are scored too."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from extract.authoring.evaluate import load_gold
from extract.cli import main
from extract.runs.run import run

TEXT = "鞍山市教育集团\n\n2020年鞍山市组建教育集团55个,参与学校416所。\n"
EMPTY_OF_CLAIMS = "说明\n\n本文没有数字。\n"


@pytest.fixture(scope="module")
def out(tmp_path_factory, extractor):
    root = tmp_path_factory.mktemp("eval")
    inp = root / "in"
    inp.mkdir()
    (inp / "a.txt").write_text(TEXT, encoding="utf-8")
    (inp / "b.txt").write_text(EMPTY_OF_CLAIMS, encoding="utf-8")
    out = root / "out"
    run(inp, out, extractor, progress=False)
    return out


def gold_line(article="a.txt", text="55个", value=55, **kw) -> dict:
    start = TEXT.find(text) if article == "a.txt" else 0
    return {"article": article, "start": start, "end": start + len(text), "text": text, "value": value,
            "value_max": None, "unit": "个", "qualifier": "exact", "kind": "level", "target": False,
            "category": "education_groups", "subject": "教育集团", "region": "辽宁省鞍山市", "entity": None,
            "year": 2020, "baseline_year": None, **kw}


def write(path: Path, lines: list) -> Path:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n"
                            for line in lines), encoding="utf-8")
    return path


BROKEN = [
    ("{not json", ["line 1: not JSON"]),
    ("[1, 2]", ["line 1: a JSON list, not an object"]),
    ({"start": 0, "end": 3, "value": 1}, ["line 1: no 'article'"]),
    ({"article": "a.txt", "start": 5, "end": 3, "value": 1}, ["end 3 is not after start 5"]),
    ({"article": "a.txt", "start": "5", "end": 7, "value": 1}, ["start must be a character offset", "'5'"]),
    ({"article": "a.txt", "start": 5, "end": 7, "value": "55"}, ["value must be a number, not '55'"]),
    ({"article": "a.txt", "start": 5, "end": 7, "value": 55, "year": 2020.5}, ["year must be a whole number"]),
    ({"article": "a.txt", "start": 5, "end": 7, "value": 55, "category": "groups"}, ["category must be", "'groups'"]),
    ({"article": "a.txt", "start": 5, "end": 7, "value": 55, "target": "no"}, ["target must be true, false"]),
    ({"article": "a.txt", "start": 5, "end": 7, "value": 55, "qualifier": "about"}, ["qualifier must be one of"]),
]


@pytest.mark.parametrize("line, words", BROKEN)
def test_a_broken_gold_line_is_a_clear_error(out, tmp_path, line, words):
    gold = write(tmp_path / "gold.jsonl", [line])
    res = CliRunner().invoke(main, ["evaluate", str(out), str(gold)])
    assert res.exit_code == 1, res.output
    assert isinstance(res.exception, SystemExit), res.exception   # a message, not a traceback
    assert "gold.jsonl: 1 problem in the gold file" in res.output
    for w in words:
        assert w in res.output, res.output


def test_every_problem_is_listed_with_its_line(tmp_path):
    lines = [gold_line(), "{oops", gold_line(value="x"), "", gold_line(start=-1)] + ["[]"] * 12
    gold = write(tmp_path / "gold.jsonl", lines)
    with pytest.raises(Exception) as info:
        load_gold(gold)
    msg = str(info.value)
    assert "15 problems" in msg and "line 2: not JSON" in msg and "line 3: value must be a number" in msg
    assert "line 5: start must be" in msg and "… and 5 more" in msg
    assert "\n  line 1:" not in msg        # the good line is fine
    for bad in (tmp_path, tmp_path / "empty.jsonl"):
        if bad.suffix:
            bad.write_text("\n", encoding="utf-8")
        res = CliRunner().invoke(main, ["evaluate", str(tmp_path), str(bad)])
        assert res.exit_code in (1, 2) and "Traceback" not in res.output


def test_gold_of_articles_not_in_the_run_is_skipped_with_a_warning(out, tmp_path):
    lines = [gold_line(), gold_line(text="416所", value=416, unit="所", category="schools", subject="学校"),
             gold_line("c.txt"), gold_line("c.txt", text="x"), gold_line("d.txt"),
             gold_line("b.txt", text="本文", value=1)]            # b.txt is in the run, without claims
    gold = write(tmp_path / "gold.jsonl", lines)
    res = CliRunner().invoke(main, ["evaluate", str(out), str(gold), "--json"])
    assert res.exit_code == 0, res.output
    assert "warning: 3 gold claims of 2 articles not in the run were skipped: c.txt, d.txt" in res.stderr
    scores = json.loads(res.stdout)
    assert (scores["gold"], scores["skipped_gold"]) == (3, 3)
    assert scores["recall"] == pytest.approx(2 / 3)             # b.txt's gold claim counts as missed
    # the run's folder may come from --out (or extract.toml); without it, one path is not enough
    res = CliRunner().invoke(main, ["evaluate", str(gold), "--out", str(out), "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["gold"] == 3
    res = CliRunner().invoke(main, ["evaluate", str(gold)])
    assert res.exit_code == 2 and "give OUT_DIR GOLD" in res.output
    res = CliRunner().invoke(main, ["evaluate", str(out), str(tmp_path / "nosuch.jsonl")])
    assert res.exit_code == 1 and "no such file or folder" in res.output
    # nothing left to score: an error
    gold = write(tmp_path / "other.jsonl", [gold_line("c.txt")])
    res = CliRunner().invoke(main, ["evaluate", str(out), str(gold)])
    assert res.exit_code == 1 and "none of the gold's articles is in the run" in res.output


def test_entity_and_subject_are_scored(out, tmp_path):
    from extract.authoring.evaluate import evaluate, load_claims
    pred = load_claims(out)
    p = next(c for c in pred if c["text"] == "55个")
    good = gold_line(subject=p["subject"], entity=p["entity"])
    assert evaluate(pred, [good])["acc_subject"] == 1.0 and evaluate(pred, [good])["acc_entity"] == 1.0
    bad = gold_line(subject=p["subject"] + "之外", entity="鞍山市第一教育集团")
    r = evaluate(pred, [bad])
    assert (r["acc_subject"], r["acc_entity"]) == (0.0, 0.0)
    gold = write(tmp_path / "gold.jsonl", [bad])
    res = CliRunner().invoke(main, ["evaluate", str(out), str(gold)])
    assert "entity=0.00" in res.output and "subject=0.00" in res.output
