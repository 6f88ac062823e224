"""quantities.find_quantities on short sentences: the guideline's patterns and non-claims.

Every case goes through normalize() first, as in the pipeline, and spans are
asserted on the ORIGINAL text via span_to_orig."""
from __future__ import annotations

import pytest

from extract.stages.normalize import normalize
from extract.stages.quantities import find_quantities
from extract.stages.rules import load_rules


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def found(text: str, rules) -> list[tuple]:
    """(original text of the span, value, value_max, unit, qualifier) for each quantity."""
    norm = normalize(text)
    out = []
    for q in find_quantities(norm.text, rules):
        s, e = norm.span_to_orig(q.start, q.end)
        out.append((text[s:e], q.value, q.value_max, q.unit, q.qualifier))
    return out


def approx_rows(rows):
    return [(t, pytest.approx(v, rel=1e-3), None if m is None else pytest.approx(m, rel=1e-3), u, ql)
            for t, v, m, u, ql in rows]


# (sentence, [(span text, value, value_max, unit, qualifier), ...]) — the full list of
# quantities the sentence must yield, in order.
CLAIMS = [
    ("涉及学生13万余人。", [("13万余人", 130000, None, "人", "lower_bound")]),
    ("从近1200个案例中遴选。", [("近1200个", 1200, None, "个", "approx")]),
    ("覆盖率达到85.71%以上。", [("85.71%以上", 85.71, None, "%", "lower_bound")]),
    ("由120多人发展到1300余人。", [("120多人", 120, None, "人", "lower_bound"),
                                ("1300余人", 1300, None, "人", "lower_bound")]),
    ("争取创建1-2个省级优质特色教育集团。", [("1-2个", 1, 2, "个", "exact")]),
    ("比例达到80%-90%。", [("80%-90%", 80, 90, "%", "exact")]),
    ("按照师生比1︰15配置教师。", [("1︰15", 0.0667, None, "ratio", "exact")]),
    ("按照师生比1:15配置教师。", [("1:15", 0.0667, None, "ratio", "exact")]),
    ("交流教师占在编教师的1/8。", [("1/8", 12.5, None, "%", "exact")]),
    ("占在编教师的1/8以上。", [("1/8以上", 12.5, None, "%", "lower_bound")]),
    ("农村学生占百分之四十。", [("百分之四十", 40, None, "%", "exact")]),
    ("学生中有九成参与。", [("九成", 90, None, "%", "exact")]),
    ("满意度占七成七。", [("七成七", 77, None, "%", "exact")]),
    ("教育经费翻一番。", [("翻一番", 2, None, "倍", "exact")]),
    ("我市辖区内有三县(市)四区。", [("三县", 3, None, "县", "exact"), ("四区", 4, None, "区", "exact")]),
    ("比2019年提高了9个百分点。", [("9个百分点", 9, None, "百分点", "exact")]),
    ("超过5,000名学生受益。", [("超过5,000名", 5000, None, "人", "lower_bound")]),
    ("共有5,000名学生受益。", [("5,000名", 5000, None, "人", "exact")]),
    ("全市组建教育集团２１个。", [("２１个", 21, None, "个", "exact")]),
    ("全市组建教育集团21 个。", [("21 个", 21, None, "个", "exact")]),
    ("全市组建教育集团21\u3000个。", [("21\u3000个", 21, None, "个", "exact")]),
    ("新建三所学校。", [("三所", 3, None, "所", "exact")]),
    ("在校学生2.31万人。", [("2.31万人", 23100, None, "人", "exact")]),
    ("投入资金120亿元。", [("120亿元", 1.2e10, None, "元", "exact")]),
    ("学校减少551所。", [("551所", 551, None, "所", "exact")]),  # the sign is attribution's job
    ("新增29万余学位。", [("29万余学位", 290000, None, "学位", "lower_bound")]),
    ("累计参训2.98万人次。", [("2.98万人次", 29800, None, "人次", "exact")]),
    ("改造校舍24.76万平米。", [("24.76万平米", 247600, None, "平方米", "exact")]),
    ("成员学校约300所左右。", [("约300所左右", 300, None, "所", "approx")]),
    ("开展培训近300余人次。", [("近300余人次", 300, None, "人次", "approx")]),
    ("半数以上学校参与。", [("半数以上", 50, None, "%", "lower_bound")]),
    ("新建中小学校百余所。", [("百余所", 100, None, "所", "lower_bound")]),
    ("惠及上千名学生。", [("上千名", 1000, None, "人", "lower_bound")]),
    ("组建了五大教育集团。", [("五大", 5, None, "个", "exact")]),
    ("差异系数低于0.28。", [("低于0.28", 0.28, None, "", "upper_bound")]),
    ("生均面积是全省平均的3倍。", [("3倍", 3, None, "倍", "exact")]),
    ("有403所，占60%。", [("403所", 403, None, "所", "exact"), ("60%", 60, None, "%", "exact")]),
    ("从2017年的62%提高到83%。", [("62%", 62, None, "%", "exact"), ("83%", 83, None, "%", "exact")]),
    # a claim beside non-claims: only the claim comes out
    ("沈阳市第七中学有学生1200人。", [("1200人", 1200, None, "人", "exact")]),
    ("2019年全市新建学校12所。", [("12所", 12, None, "所", "exact")]),
    ("截至2021年12月，共组建集团485个。", [("485个", 485, None, "个", "exact")]),
    ("从4个方面出台17条举措，惠及学生3000人。", [("3000人", 3000, None, "人", "exact")]),
]


@pytest.mark.parametrize("text, expected", CLAIMS, ids=[c[0] for c in CLAIMS])
def test_claims(text, expected, rules):
    assert found(text, rules) == approx_rows(expected)


NON_CLAIMS = [
    "沈阳市第七中学", "沈阳市第七中学的学生", "63中学", "在63中学就读", "八中", "锦州市八中教育集团",
    "十二师", "新疆生产建设兵团第十二师", "党的二十大", "学习贯彻党的二十大精神", "“十四五”",
    "“十四五”期间", "2019年", "2019年以来", "2021年12月", "截至2021年12月", "4月13日", "4月13日上午",
    "为期3年", "为期3年的改革", "第3名", "获得第3名", "三年级", "三年级学生", "6岁", "6岁儿童",
    "一体化", "推进一体化发展", "一校一策", "实行一校一策", "4个方面", "从4个方面推进", "17条举措",
    "出台17条举措", "数十所", "数十所学校", "一校多区", "每一所学校", "首批", "第二批", "连续5年",
    "20:23:08来源", "2010/2011学年", "1.0版", "“1+X”", "五育并举",
]


@pytest.mark.parametrize("text", NON_CLAIMS)
def test_non_claims(text, rules):
    assert found(text, rules) == []


@pytest.mark.parametrize("text", ["全市组建教育集团21 个。", "全市组建教育集团２１个。", "超过5,000名学生受益。",
                                  "按照师生比1︰15配置教师。"])
def test_spans_are_original_text(text, rules):
    """span_to_orig offsets index the original string, not the normalized one."""
    norm = normalize(text)
    qs = find_quantities(norm.text, rules)
    assert qs
    for q in qs:
        s, e = norm.span_to_orig(q.start, q.end)
        assert 0 <= s < e <= len(text)
        assert text[s:e].strip() == text[s:e]  # no dropped spaces at the edges


def test_rule_examples(rules):
    """Every example in the rule files (exclusions included) is matched by its rule as
    described; counter-examples are not matched by that rule."""
    problems = []
    for rule in rules.rules:
        for ex in rule.examples:
            norm = normalize(ex.text)
            hits = [q for q in find_quantities(norm.text, rules, keep_exclusions=True) if q.rule.id == rule.id]
            want = ex.expect
            ok = False
            for q in hits:
                s, e = norm.span_to_orig(q.start, q.end)
                checks = [
                    want.text is None or ex.text[s:e] == want.text,
                    want.value is None or q.value == pytest.approx(want.value, rel=1e-3),
                    want.value_max is None or q.value_max == pytest.approx(want.value_max, rel=1e-3),
                    want.unit is None or q.unit == want.unit,
                    want.qualifier is None or q.qualifier == want.qualifier,
                ]
                ok = ok or all(checks)
            if not ok:
                problems.append(f"{rule.id}: example {ex.text!r} expected {want} got "
                                f"{[(q.value, q.unit, q.qualifier) for q in hits]}")
        for text in rule.counter_examples:
            norm = normalize(text)
            hits = [q for q in find_quantities(norm.text, rules, keep_exclusions=True) if q.rule.id == rule.id]
            if hits:
                problems.append(f"{rule.id}: counter-example {text!r} matched "
                                f"{[norm.text[q.start:q.end] for q in hits]}")
    assert not problems, "\n".join(problems)


def test_parts_in_brackets_after_a_figure_take_its_unit(extractor):
    from extract.inputs.load import RawArticle
    text = "全县校园占地面积66.3万平方米(幼儿园6.4万、小学24.3万、职教中心3.3万)。投入资金3亿元(含中央资金)。"
    raw = RawArticle(path="t.txt", text=text, sha256="", encoding="utf-8", n_bytes=len(text.encode()))
    got = {c.text: c for c in extractor.process(raw).claims}
    assert (got["6.4万"].value, got["6.4万"].unit, got["6.4万"].rule_id) == (64000, "平方米", "list.elided_unit")
    assert set(got) == {"66.3万平方米", "6.4万", "24.3万", "3.3万", "3亿元"}
