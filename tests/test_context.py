"""Document context: one test per kind of evidence, on short synthetic articles,
and the examples and counter-examples that rules/context.yaml carries."""
import json

import pytest

from extract.stages.context import ContextBuilder
from extract.stages.gazetteer import Gazetteer
from extract.inputs.load import RawArticle
from extract.stages.normalize import normalize
from extract.paths import RULES_DIR
from extract.stages.rules import load_yaml
from extract.stages.segment import segment

CUES = load_yaml((RULES_DIR / "context.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def builder():
    return ContextBuilder(Gazetteer.load())


def context(extractor, text):
    norm = normalize(text).text
    seg = segment(norm)
    return extractor.context.decide(norm, seg, extractor.recognizer.find(norm))


def claims(extractor, text):
    raw = RawArticle(path="t.txt", text=text, sha256="", encoding="utf-8", n_bytes=len(text.encode()))
    result = extractor.process(raw)
    return result, {c.text: c for c in result.claims}


# --------------------------------------------------------------------------- cue files

def test_published_examples(builder):
    for ex in CUES["published"]["examples"]:
        assert builder.published_in(ex), ex
    for ex in CUES["published"]["counter_examples"]:
        assert builder.published_in(ex) is None, ex


def test_report_year_examples(builder):
    for ex in CUES["report_year"]["examples"]:
        assert builder.report_year(ex), ex
    for ex in CUES["report_year"]["counter_examples"]:
        assert builder.report_year(ex) is None, ex


def test_kind_examples(builder):
    for ex in CUES["kinds"]["examples"]:
        assert builder.kind_of(ex) != "news", ex
    for ex in CUES["kinds"]["counter_examples"]:
        assert builder.kind_of(ex) == "news", ex


def test_publisher_examples(builder):
    for ex in CUES["publisher"]["examples"]:
        assert builder.is_publisher(ex), ex
    for ex in CUES["publisher"]["counter_examples"]:
        assert not builder.is_publisher(ex), ex


def test_lead_source_examples(builder):
    """Each example marks the place with bars: before|place|after."""
    for want, key in ((True, "examples"), (False, "counter_examples")):
        for ex in CUES["lead_source"][key]:
            before, place, after = ex.split("|")
            text = before + place + after
            assert builder.is_lead_source(text, len(before), len(before) + len(place)) is want, ex


def test_masthead_and_navigation_examples():
    from extract.stages.segment import is_masthead, is_navigation
    furniture = load_yaml((RULES_DIR / "segment.yaml").read_text(encoding="utf-8"))["furniture"]
    for check, name in ((is_masthead, "masthead"), (is_navigation, "navigation")):
        for ex in furniture["examples"][name]:
            assert check(ex), ex
        for ex in furniture["counter_examples"][name]:
            assert not check(ex), ex


# --------------------------------------------------------------------------- time

@pytest.mark.parametrize("line", ["2015-08-04", "04.08.2015  23:39", "发布时间:2015年8月4日", "2015/8/4 来源:本网",
                                  "小一入学 August 4, 2015", "当前报纸日期:2015 8月4日 星期二"])
def test_publication_date_in_every_common_form(extractor, line):
    text = f"标题:某市教育新闻\n{line}\n\n截止目前,全区共有学校3093所。\n"
    ctx = context(extractor, text)
    assert ctx.published == "2015-08-04" and ctx.anchor_year == 2015
    _, got = claims(extractor, text)
    assert got["3093所"].year == 2015 and got["3093所"].year_source == "published"


def test_metadata_date_outranks_the_text(extractor):
    norm = normalize("2015-08-04\n\n目前全市共有学校30所。\n").text
    ctx = extractor.context.decide(norm, segment(norm), [], published_given="2020-01-02")
    assert ctx.published == "2020-01-02" and ctx.published_source == "metadata"


def test_named_report_dates_the_whole_text(extractor):
    text = ("中新网5月19日电 教育部网站今日发布《2019年全国义务教育均衡发展督导评估工作报告》,"
            "报告显示,全国累计已达2767个县。\n今年共抽取26个县进行实地督查。\n")
    ctx = context(extractor, text)
    assert ctx.reference_year == 2019 and ctx.year_source == "report" and ctx.kind == "report"
    _, got = claims(extractor, text)
    assert got["2767个"].year == 2019 and got["2767个"].year_source == "report"
    assert got["26个"].year == 2019      # 今年 of an undated report: the report's year


def test_bulletin_edition_year(extractor):
    text = "吉林省教育事业发展概况(2023年版)\n2025-06-27 10:00:00\n\n——全省共有各级各类学校6883所。\n"
    ctx = context(extractor, text)
    assert ctx.reference_year == 2023 and ctx.kind == "bulletin" and ctx.anchor_year == 2025
    _, got = claims(extractor, text)
    assert got["6883所"].year == 2023


def test_school_year_dates_a_survey(extractor):
    _, got = claims(extractor, "统计暨普查局资料显示,2010/2011学年开办课程的高等教育院校有10间。\n")
    assert got["10间"].year == 2010


def test_period_word_resets_the_time(extractor):
    _, got = claims(extractor, "2019年全县新建学校5所。近年来,全县累计投入资金3亿元。\n")
    assert got["5所"].year == 2019 and got["3亿元"].year is None


def test_timeline_line_dates_the_lines_after_it(extractor):
    _, got = claims(extractor, "成都市名校集团化大事记\n\n2010年——\n\n石室教育集团覆盖8个区域。\n\n2012年——\n\n七中教育集团覆盖9个区域。\n")
    assert got["8个"].year == 2010 and got["8个"].year_source == "heading"
    assert got["9个"].year == 2012


def test_a_long_first_line_may_open_with_its_date(extractor):
    text = (" date 2015-08-04 新一份《财政预算案》披露下年度教育总开支预算近1120亿元,占政府整体开支比例仅13.3%。"
            "截止目前,全区共有学校3093所。\n")
    assert context(extractor, text).published == "2015-08-04"
    body = "全区学校3093所。" * 20 + "更新日期2015-08-04 的数据。\n"
    assert context(extractor, body).published is None       # a date inside a long sentence is no publication date


def test_news_headline_tells_the_publication_year(extractor):
    _, got = claims(extractor, "深圳中小学开学 新增学位9万座\n2024-09-02 16:37:23 来源:深圳特区报\n\n开学了。\n")
    assert got["9万座"].year == 2024 and got["9万座"].year_source == "published"


def test_news_that_only_announces_states_plans(extractor):
    head = "2014年某市10%的公办校教师将交流轮岗\n2014-03-20 来源:某市教育局\n\n"
    body = "基础教育方面,创建30所新优质学校;实施80所中小学校操场改造。投入1.6亿元配备教育装备。\n"
    result, got = claims(extractor, head + body)
    assert got["30所"].target and got["80所"].target and got["1.6亿元"].target
    assert "announcement" in result.article.context_evidence
    # the same text that reports anything as done or current is a report, not an announcement
    for done in ("去年已建成学校12所。", "近两年来,全市建成学校12所。", "目前全市共有学校120所。"):
        _, got = claims(extractor, head + body + done)
        assert not got["30所"].target


# --------------------------------------------------------------------------- place

def test_masthead_is_not_the_subject(extractor):
    text = "香港商报\n深圳中小学开学 新增学位9万座\n2024-09-02 来源:深圳特区报\n\n今秋,宝安推出9所新建校。\n"
    ctx = context(extractor, text)
    assert ctx.home.path == "广东省深圳市" and ctx.region_source == "title"
    assert any(e.kind == "masthead" for e in ctx.evidence)


def test_navigation_menu_is_no_evidence(extractor):
    text = ("今日西安 今日长安 今日高陵 今日蓝田 今日周至\n\n"
            "西安新建学校522所\n来源:阳光报 2021-01-22\n\n全市新增学位36万个。\n")
    ctx = context(extractor, text)
    assert ctx.home.path == "陕西省西安市"
    _, got = claims(extractor, text)
    assert got["36万个"].region == "陕西省西安市"


def test_dateline_city_is_the_agency_not_the_subject(extractor):
    text = "新华社长沙5月23日电 记者从省教育厅获悉,湘西州已有16所芙蓉学校投入使用。湘西州惠及贫困生7841人。\n"
    ctx = context(extractor, text)
    assert any(e.kind == "dateline" for e in ctx.evidence)
    assert ctx.home.path.endswith("湘西土家族苗族自治州")


def test_institution_places_an_article_naming_no_place(extractor):
    ctx = context(extractor, "大学生增加中小生减少\n\n【本报讯】统计暨普查局资料显示,学校有106间。\n")
    assert ctx.home.path == "澳门特别行政区" and ctx.region_source == "institution"


def test_ministry_alone_means_the_nation(extractor):
    ctx = context(extractor, "教育部发布数据,小学共有15.8万所,初中5.2万所。\n")
    assert ctx.home.path == "全国" and ctx.region_source == "national"


def test_we_the_country_in_the_title(extractor):
    ctx = context(extractor, "我国义务教育发展数据统计\n来源:某研究院 发布日期:2018-07-20\n\n小学共有16.7万所。\n")
    assert ctx.home.path == "全国"


def test_example_place_is_no_evidence(extractor):
    ctx = context(extractor, "集团化办学不能空心化。以云南某县为例,集团内有5所学校。\n")
    assert ctx.home is None and ctx.region_source == "none"
    assert any(e.kind == "example" for e in ctx.evidence)


def test_image_caption_is_no_evidence(extractor):
    text = "出生率下降 中国2年减少2万所幼儿园\n时间:2024-03-25\n\n图为上海一所幼儿园。(资料照片)\n\n中国于2023年减少了1.4万所幼儿园。\n"
    ctx = context(extractor, text)
    assert ctx.home.path == "全国"


def test_places_named_most_in_the_body_decide(extractor):
    ctx = context(extractor, "五年来,平和县不断加大教育投入。该县获得“漳州市教育先进县”表彰,新建学校13所。\n")
    assert ctx.home.path == "福建省漳州市平和县" and ctx.region_source == "body"


def test_office_in_the_header_is_an_institution(extractor):
    text = "推进集团化办学改革\n时间:2022-04-04来源:鞍山市教育局\n\n我市现有学校401所。海城市组建4个集团。\n"
    ctx = context(extractor, text)
    assert ctx.home.path == "辽宁省鞍山市" and ctx.region_source == "institution"


# --------------------------------------------------------------------------- targets and kinds

def test_plan_figures_are_targets_unless_reached(extractor):
    text = ("关于下达2021年新增城乡教育共同体结对学校任务数的通知\n\n"
            "各市:保底任务数为嘉兴市102家。截至目前,已建成结对学校80家。\n")
    ctx = context(extractor, text)
    assert ctx.kind == "notice" and ctx.targets_by_default
    _, got = claims(extractor, text)
    assert got["102家"].target is True and got["80家"].target is False


def test_news_figures_are_no_targets_without_a_cue(extractor):
    _, got = claims(extractor, "常州市集团化办学覆盖率达66%\n2018-10-17 来源:常州日报\n\n全市共有教育集团52个。\n")
    assert got["52个"].target is False


def test_articles_table_tells_kind_year_home_and_evidence(extractor):
    result, _ = claims(extractor, "山西省2018年教育事业发展统计公报\n发布时间:2019-04-25\n\n全省共有学校1.5万所。\n")
    row = result.article
    assert (row.kind, row.reference_year, row.year_source, row.home_region, row.region_source) == \
        ("bulletin", 2018, "report", "山西省", "title")
    kinds = {e["kind"] for e in json.loads(row.context_evidence)}
    assert {"published", "title"} <= kinds


def test_a_place_named_far_more_than_any_other_is_the_focus(extractor):
    ctx = context(extractor, "特区政府向在广东省就读的澳门学生发放津贴。澳门学生须申请。澳门教青局表示,澳门共有学生六千名。\n")
    assert ctx.home.path == "澳门特别行政区" and ctx.region_source == "body"
    ctx = context(extractor, "吉林省新建学校10所,辽宁省新建学校12所。\n")
    assert ctx.home.path == "全国"


def test_undated_text_is_dated_by_one_figure_given_relatively_and_explicitly(extractor):
    text = "湖南明年建成100所芙蓉学校\n\n记者获悉,到2021年,湖南将建成100所芙蓉学校。截至今年4月底,已投入使用16所。\n"
    ctx = context(extractor, text)
    assert ctx.anchor_year == 2020 and ctx.published is None
    _, got = claims(extractor, text)
    assert got["16所"].year == 2020


def test_a_masthead_taken_for_a_title_is_no_evidence(extractor):
    ctx = context(extractor, "广西日报传媒集团主办\n\n湖南已有16所芙蓉学校投入使用。湖南将建成100所。\n")
    assert ctx.home.path == "湖南省"


def test_broken_cue_file_names_itself(tmp_path):
    """A broken context.yaml (here a --rules folder's) is refused when the rules load,
    naming the file, line and entry (tests/test_user_cues.py has more cases)."""
    from extract.stages.rules import RuleError, load_rules
    (tmp_path / "context.yaml").write_text("example_place: '某('\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"context.yaml:1 entry example_place: bad regex"):
        load_rules([tmp_path])


MIRROR_TOP = "无码视频在线|欧洲一二三区免费视频|精品国产视频|亚洲精品视频网站\n香港商报\n今日西安 今日长安 今日高陵 今日蓝田\n\n"
MIRROR_BOTTOM = "\n\n上一篇:广州新增学位3000个\n下一篇:深圳新建学校5所\n浏览量:1024 评论:0\n分享到:微信 微博\n"


def test_a_mirror_sites_furniture_changes_no_claim(extractor, seed_paths):
    """Spam links, a masthead and a menu naming other cities on top, prev/next links and
    counters below: the seeds' claims stay what they are (value, unit, place, year, plan)."""
    def key(result):
        return sorted((c.value, c.unit, c.region or "", c.year or 0, c.target, c.category) for c in result.claims)

    for path in seed_paths:
        text = path.read_text(encoding="utf-8")
        clean = extractor.process(RawArticle(path.name, text, "", "utf-8", 1))
        mirrored = extractor.process(RawArticle(path.name, MIRROR_TOP + text + MIRROR_BOTTOM, "", "utf-8", 1))
        assert key(mirrored) == key(clean), path.name


def test_a_title_place_followed_by_several_stands_for_the_area_holding_them(extractor):
    text = ("关于茂名市电白区等13个县(市、区)通过义务教育发展基本均衡县(市、区)省级督导评估的公示\n\n"
            "2016年广东省有13个县(市、区)经过省级督导,满意率达到85%以上。\n")
    assert context(extractor, text).home.path == "广东省"
    text = "关于茂名市电白区等3个县(区)通过督导评估的公示\n\n2016年有3个县(区)经过督导。\n"
    assert context(extractor, text).home.path == "广东省茂名市"


def test_short_names_of_places_elsewhere_inside_local_names_count_little(extractor):
    # 石门 (石门县, 湖南) and 大理 name schools of 佛山 here; the full names are all 广东's
    text = ("佛山市政府加大对教育的投入,今年佛山至少有18所新学校投入使用。\n"
            "石门中学一直备受关注。石门教育集团目前是佛山市拥有学校最多的教育集团。\n"
            "石门高级中学、石门大理中学、石门实验小学均为集团成员,禅城区、三水区也有集团。\n")
    assert context(extractor, text).home.path == "广东省佛山市"


def test_a_reprint_older_than_its_page_date_is_dated_by_its_own_years(extractor):
    text = ("今年厦门教育补短板项目超百个\n2024-05-01 来源:高考升学网\n\n"
            "今年我市教育补短板项目超过110个。会议提出到2020年,将推进教育基础设施建设,争取2020年建成招生。"
            "2018年列入为民办实事项目有:建成20所中小学项目。\n")
    ctx = context(extractor, text)
    assert (ctx.anchor_year, ctx.anchor_source) == (2018, "inferred")


@pytest.mark.parametrize("body", [
    "学前教育毛入园率从2015年的75.6%提高到2020年的86.7%。2019年全省通过国检。",   # values reached, not deadlines
    "学校1928年至1929年先创办,1933年定名。",                                    # a span, not a deadline
    "到2020年全市新建学校20所,2023年又新建10所。",                              # a year near the page date
])
def test_a_page_date_stands_when_nothing_contradicts_it(extractor, body):
    ctx = context(extractor, f"标题\n2024-05-01 来源:某报\n\n{body}\n")
    assert (ctx.anchor_year, ctx.anchor_source) == (2024, "published")


def test_the_place_a_document_is_named_for_is_evidence_of_the_home(extractor):
    text = ("|\n发表于 2017-3-9 17:02\n|\n显示全部楼层\n| 来自广东\n"
            "“由于前几年我市未能认真执行《茂名市区公办中小学2010至2015年布局调整方案》,原规划新建8所中小学校只建好1所。”\n")
    assert context(extractor, text).home.path == "广东省茂名市"


def test_an_undated_texts_year_from_this_years_works(extractor):
    text = "马关县建设教师周转宿舍\n\n今年,马关县将在部分农村学校建设教师周转宿舍238套,预计于2023年9月竣工投入使用。\n"
    ctx = context(extractor, text)
    assert (ctx.anchor_year, ctx.anchor_source) == (2023, "inferred")
    text = "闵行今年将新开8所学校\n\n今年9月闵行将新开8所学校。未来三年(2017-2019年),将新建74个项目。\n"
    assert context(extractor, text).anchor_year == 2017
    text = "某县新建学校\n\n今年某县新建学校5所,一所预计2021年8月建成投用,另一所预计2022年9月竣工。\n"
    assert context(extractor, text).anchor_year is None      # two years finishing: no single year


def test_an_ambiguous_place_in_the_title_is_resolved_in_the_bodys_home(extractor):
    text = ("铁西区7所公立新建校集中交付\n2023-08-28 来源:沈阳日报\n\n"
            "沈阳市今年新建学校多所。沈阳市杏坛中学等7所学校交付使用。\n")
    ctx = context(extractor, text)
    assert (ctx.home.path, ctx.region_source) == ("辽宁省沈阳市铁西区", "title")


def test_a_hong_kong_district_in_the_title_of_a_text_about_all_of_hong_kong(extractor):
    text = ("四中学濒杀校 屯门占二\n2019-05-01 来源:某报\n\n"
            "本港中一学生人数大跌约五千人。教育局为全港中学点算人数,当中最少有两间位处屯门。\n")
    assert context(extractor, text).home.path == "香港特别行政区"


def test_an_undated_texts_year_from_this_years_tasks(extractor):
    text = ("滨海新区新建学校\n\n今年滨海新区将新建、改扩建7所幼儿园。今年教育部门还将投资3.9亿元"
            "用于完成2011年义务教育学校现代化建设任务,预计2012年上半年将完成。\n")
    assert context(extractor, text).anchor_year == 2011


def test_places_inside_the_home_that_share_one_city_narrow_it_to_that_city(extractor):
    text = ("山西:21所新学校将在省城拔地而起\n2009-03-12 来源:山西日报\n\n"
            "太原市今年将新建学校21所。太原市杏花岭区新建2所。太原市城西将新建3所。\n")
    assert context(extractor, text).home.path == "山西省太原市"


def test_a_governments_own_news_site_places_a_text_naming_no_place(extractor):
    text = ("Press here to Skip to the main content\n\n香港政府新聞網 ENG | | | | |\n\n"
            "教育撥款增加 體現政府承諾\n\n2017年02月23日\n\n教育局局長表示,2017/18年度教育撥款增加49億元至875億元。\n")
    ctx = context(extractor, text)
    assert (ctx.home.path, ctx.region_source) == ("香港特别行政区", "institution")


def test_the_nation_as_the_subject_outweighs_one_place_named_in_passing(extractor):
    text = ("营养改善计划惠及学生3700万人\n2014-03-01 来源:新华网\n\n全国共有699个县实施营养改善计划。"
            "我国农村学生营养状况明显改善。全国受益学生3700万人。新疆生产建设兵团也纳入试点。全国投入资金1000亿元。\n")
    assert context(extractor, text).home.path == "全国"
    text = "西宁市新建学校\n2014-03-01 来源:西宁晚报\n\n西宁市入学率高于全国平均水平。西宁市新建学校5所。\n"
    assert context(extractor, text).home.path == "青海省西宁市"


def test_a_provinces_short_name_counts_as_a_full_name_against_one_compared_place(extractor):
    text = ("新学年起,上海全市17个区县将全面试行学区化集团化办学。\n上海全市学区和集团数预计为118个。"
            "徐汇、杨浦、闸北、金山已先行试点。\n外地经验:天津市和平区、厦门也在推进。\n")
    assert context(extractor, text).home.path == "上海市"


def test_a_first_line_opening_a_list_is_no_heading(extractor):
    text = ("根据沈阳市教育局发布的最新数据及近年规划,截至2024年,沈阳市初高中学校数量如下:\n"
            "普通高中共有109所。\n")
    assert context(extractor, text).kind != "plan"          # fresh f5n08: no plan, only its word
    assert context(extractor, "沈阳市教育发展规划\n普通高中共有109所。\n").kind == "plan"


def test_the_place_the_lead_reports_from_is_the_home_under_a_city_title(extractor):
    text = ("合肥城西南开建9所公办幼儿园\n2017-05-27 来源:某网\n\n"
            "记者从肥西县重点局工程建设调度会上获悉,今年将新建9所幼儿园,总建筑面积约3.7万平方米。\n")
    assert context(extractor, text).home.path == "安徽省合肥市肥西县"
    # a place the lead only visits is no source: the city title stands
    text = ("合肥开建9所公办幼儿园\n2017-05-27 来源:某网\n\n"
            "在肥西县召开的会议上,合肥市将新建9所幼儿园,总建筑面积约3.7万平方米。\n")
    assert context(extractor, text).home.path == "安徽省合肥市"


def test_the_place_that_published_a_plan_holds_its_zones(extractor):
    text = ("福州新闻网8月29日讯\n\n近日,福清市公布工业园区基础教育配套提升方案,新增学位9330个。"
            "方案规划在福州新区福清功能区建设2所学校;在福清融侨经济技术开发区建设3所学校。\n")
    assert context(extractor, text).home.path == "福建省福州市福清市"


def test_a_school_named_with_a_bare_district_name_of_elsewhere_counts_little(extractor):
    text = ("海峡网8月29日讯\n\n29日上午,福州延安中学教育集团国光校区、钱塘小学教育集团怡山校区举行揭牌仪式。"
            "福州延安中学教育集团国光校区共计1200个学位。钱塘小学教育集团怡山校区总投资约1.7亿元。\n")
    assert context(extractor, text).home.path == "福建省福州市"
