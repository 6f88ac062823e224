"""Attribution edge cases, each through the whole Extractor (as an article)."""
import pytest

from extract.inputs.load import RawArticle
from extract.paths import RULES_DIR
from extract.stages.rules import load_yaml


def claims(extractor, text):
    raw = RawArticle(path="t.txt", text=text, sha256="", encoding="utf-8", n_bytes=len(text.encode()))
    result = extractor.process(raw)
    for c in result.claims:
        assert text[c.start:c.end] == c.text
    return {c.text: c for c in result.claims}


def test_article_about_a_functional_zone_only(extractor):
    got = claims(extractor, "西安经开区今年新建学校5所。")
    assert got["5所"].region == "陕西省西安市经开区"


@pytest.mark.parametrize("text", ["2023年,全市学校比二三十年前增加了5所。", "2023年,全市学校比两三年前增加了5所。"])
def test_vague_years_ago_gives_no_baseline(extractor, text):
    c = claims(extractor, text)["5所"]
    assert c.kind == "change" and c.year == 2023 and c.baseline_year is None


def test_years_ago_gives_baseline(extractor):
    c = claims(extractor, "2022年有普通小学1.09万所,相较五年前减少551所。")["551所"]
    assert (c.value, c.year, c.baseline_year) == (-551, 2022, 2017)


def test_chinese_numeral_years_are_baselines_and_open_periods_too(extractor):
    got = claims(extractor, "二〇二三年,全市学校比二〇一九年增加了5所。")
    assert (got["5所"].year, got["5所"].baseline_year) == (2023, 2019)
    got = claims(extractor, "二〇一八年以来,全市新增学校7所。")
    assert (got["7所"].year, got["7所"].baseline_year) == (None, 2018)


def test_title_claim_points_into_the_title_line_not_a_breadcrumb(extractor):
    text = "当前位置:首页>新闻>北京市新建35所学校\n北京市新建35所学校\n2023-05-01 来源:北京日报\n\n正文。\n"
    [c] = [c for c in claims(extractor, text).values()]
    assert c.start == text.index("\n北京市新建35所学校") + 1 + len("北京市新建")


def test_autonomous_region_deixis(extractor):
    text = "新疆持续改善办学条件。塔什库尔干塔吉克自治县新建学校1所。目前,全区义务教育巩固率达99.2%。"
    assert claims(extractor, text)["99.2%"].region == "新疆维吾尔自治区"


def test_listed_places_take_their_common_area(extractor):
    text = "保定市教育集团成立,集团辖阜平、涞水、顺平七所分校。"
    assert claims(extractor, text)["七所"].region == "河北省保定市"


def test_article_naming_no_place_is_placed_by_its_institutions(extractor):
    text = "提问者:立法会议员\n答复:\n当局计划兴建73间新小学。\n"
    assert claims(extractor, text)["73间"].region == "香港特别行政区"


def test_from_to_over_a_year_range(extractor):
    got = claims(extractor, "1991-2001年,我国的城市化水平由26.94%升至37.66%。")
    assert (got["26.94%"].year, got["37.66%"].year) == (1991, 2001)
    assert got["26.94%"].region == "全国"


def test_school_year_range_dates_to_its_first_year(extractor):
    assert claims(extractor, "2024—2025学年,全区有中小学40所。")["40所"].year == 2024


def test_period_start_is_the_baseline_of_a_change(extractor):
    got = claims(extractor, "2020年至2022年,甘肃省新增公办学位12万个。其中,兰州市新增学位2.3万个,天水市新增1.8万个。")
    c = got["1.8万个"]
    assert (c.kind, c.year, c.baseline_year, c.category, c.region) == (
        "change", 2022, 2020, "school_places", "甘肃省天水市")


def test_post_nominal_one_is_a_count(extractor):
    got = claims(extractor, "学校还拥有远程教育地面接收站一座,图书室一间。点亮一所学校。")
    assert got["一座"].value == 1 and "一所" not in got


def test_plan_verb_makes_a_target_but_a_plan_name_does_not(extractor):
    got = claims(extractor, "2024-05-20 来源:某报\n\n今年,武侯区计划再新建3所学校。实施体育美育浸润行动计划,选派1335名教师。\n")
    assert got["3所"].target is True and got["1335名"].target is False


def test_ambiguous_district_resolves_in_the_nearest_enclosing_area(extractor):
    # the section is about 海城市; 铁西区 is no part of it but of 鞍山市, which holds both
    text = ("推进集团化办学\n时间:2022-04-04来源:鞍山市教育局\n\n一、海城市\n\n全市组建4个教育集团。"
            "铁西区组建了五大教育集团。\n")
    got = claims(extractor, text)
    assert got["4个"].region == "辽宁省鞍山市海城市"
    assert got["五大"].region == "辽宁省鞍山市铁西区"


def test_an_ambiguous_district_after_a_place_elsewhere_resolves_in_the_articles_home(extractor):
    # 南川 (a 重庆 county, here part of a campus name) stands before 城中区, which 重庆 has
    # none of: 城中区 is the 西宁 one, as the article's home says
    text = ("西宁市成立首个高中教育集团\n\n记者从西宁市教育局获悉,全市组建教育集团3个。"
            "西宁二中南川校区位于城中区安宁路12号,总占地面积82亩。\n")
    got = claims(extractor, text)
    assert got["82亩"].region == "青海省西宁市城中区"


def test_national_level_is_a_rank_not_the_country(extractor):
    text = "成都市教育局\n\n成都市现有普通高中134所。其中国家级示范性普通高中14所,省级示范性普通高中25所。\n"
    assert claims(extractor, text)["14所"].region == "四川省成都市"


def test_the_country_a_figure_is_compared_with_is_not_its_region(extractor):
    text = ("甘肃省义务教育法执法检查报告\n\n截止2017年,甘肃省义务教育巩固率达到95%,"
            "较2012年提高10.13个百分点,高出全国1.6个百分点。\n")
    got = claims(extractor, text)
    assert got["1.6个百分点"].region == "甘肃省"
    text = "广西营养改善计划\n\n目前,广西食堂供餐的学校占比达到了88.96%以上,高于全国平均水平17个百分点。\n"
    assert claims(extractor, text)["17个百分点"].region == "广西壮族自治区"


@pytest.mark.parametrize("period", ["五年以来", "十年来", "四年来"])
def test_a_period_of_years_stops_an_earlier_year(extractor, period):
    text = f"重庆市教育局\n\n2020年,全区新建学校5所。{period},全区新增学校13所。\n"
    got = claims(extractor, text)
    assert got["5所"].year == 2020 and got["13所"].year is None


def test_the_past_year_is_a_year(extractor):
    text = "重庆市教育局\n\n2020年,全区新建学校5所。一年来,全区新增学校13所。\n"
    assert claims(extractor, text)["13所"].year == 2020


def test_a_place_name_naming_a_street_is_no_place(extractor):
    text = "兰州市城关区教育局\n\n城关区在静宁路、张掖路一带新建学校3所。\n"
    assert claims(extractor, text)["3所"].region == "甘肃省兰州市城关区"


def test_change_word_reaches_every_item_of_its_list(extractor):
    got = claims(extractor, "新增学前学位180个、义务教育学位1620个。小学生及中学生分别减少6.4%及3.2%。新增学校2所,共有学校30所。")
    assert got["1620个"].kind == "change" and got["3.2%"].value == -3.2
    assert got["30所"].kind == "level"


def test_change_word_before_a_list_of_nouns_reaches_the_amount(extractor):
    # 、 joins nouns inside one clause; the verb before them still governs the amount
    got = claims(extractor, "新增融合型、共建型教育共同体学校合计1532家。新增学位300个,现有学校合计45所。")
    assert got["1532家"].kind == "change"
    assert got["45所"].kind == "level"   # a clause of its own, without the verb


def test_comma_items_with_the_same_head_noun_continue_a_change(extractor):
    got = claims(extractor, "新增义务教育学位3000个,高中学位500个。新增学位300个,现有学位5万个。"
                            "幼儿园比上年减少9所;民办幼儿园193所。")
    assert got["500个"].kind == "change"
    assert got["5万个"].kind == "level"      # 现有: a statement of its own
    assert got["193所"].kind == "level" and got["193所"].value == 193   # a new clause after ;


def test_a_targets_deadline_after_it_dates_it(extractor):
    got = claims(extractor, "该项目拟增加1680个学位,计划2027年9月完工。\n\n该校新增学位600个,2023年9月已投用。\n")
    assert got["1680个"].target and got["1680个"].year == 2027
    assert not got["600个"].target and got["600个"].year is None   # a fact: a date after it is no deadline


def test_a_share_of_a_whole_is_a_share_of_the_count_before_it(extractor):
    got = claims(extractor, "组建教育集团54个,覆盖182所学校,占城区公办义务教育学校68.68%。"
                            "全省有普惠性幼儿园4747所,占总数的68.08%。"
                            "全市有专任教师3200人,占教职工总数的80%。"
                            "集团内参与交流教师共计219人,占符合条件教师人数的19%。")
    assert got["68.68%"].category == "coverage"      # the schools the groups cover, not "schools"
    assert got["68.08%"].category == "coverage"      # a policy's reach (普惠)
    assert got["80%"].category == "teachers"         # no reform: the count's own category
    assert got["19%"].category == "teachers"         # teachers taking part are no coverage


def test_items_of_a_list_a_colon_opens_take_the_heads_verb(extractor):
    got = claims(extractor, "全区新增学位任务分解如下:城关镇300个、南山镇200个。全区学校情况如下:小学120所、初中50所。")
    assert got["300个"].kind == "change" and got["200个"].kind == "change"
    assert got["120所"].kind == "level" and got["50所"].kind == "level"


def test_planned_project_sizes_are_targets(extractor):
    got = claims(extractor, "该校规划总建筑面积约为16550平方米。根据设计,办学规模为48个教学班。该校已开办24个班。")
    assert got["16550平方米"].target and got["48个"].target and not got["24个"].target


def test_economic_development_zone_is_a_region_inside_its_city(extractor):
    got = claims(extractor, "驻马店经济开发区被认定为先行区。\n\n经济开发区现有义务教育阶段学校28所。")
    assert got["28所"].region == "河南省驻马店市经济开发区"


def test_a_programme_named_plan_is_no_target(extractor):
    got = claims(extractor, "营养改善计划覆盖所有农牧民子女,年受益学生达38万人次。在常山,计划通过两年时间覆盖25所小学。")
    assert not got["38万人次"].target and got["25所"].target


# What a figure counts, one pattern of the language a case: (text, {claim: category}).
CATEGORY_CASES = [
    # schools covered by groups are members; schools a plan covers elsewhere are not
    ("全市共建成83个学区和154个集团,累计覆盖学校1447所。在常山,计划覆盖25所小学。",
     {"1447所": "member_schools", "25所": "schools"}),
    ("其中,园长240人,保育员768人。申请统一派位的跨境生有七百人。生师比16.8:1。",
     {"240人": "teachers", "768人": "teachers", "七百人": "students", "16.8:1": "teachers"}),
    # counted in people, a school word names a stage: the list's head decides
    ("共有专任教师81025人,其中普通高校7759人、普通高中10274人;共有在校生144.19万人,其中普通高校11.56万人。",
     {"10274人": "teachers", "11.56万人": "students"}),
    ("全国累计已达2767个县,占比95.32%。全国普通小学生均一般公共预算教育经费年均增长5.08%。"
     "2021年出生人口1062万人。教职员工350多人。",
     {"95.32%": "coverage", "5.08%": "funding", "1062万人": "other", "350多人": "teachers"}),
    # the parts of a count, and items of a list by place, count what the total counts
    ("目前,全市共有教育集团158个,其中城区90个,郊区68个。全市共有县区12个。",
     {"90个": "education_groups", "68个": "education_groups", "12个": "regions"}),
    ("新增共建型教育共同体学校(校区)合计1532家,分解下达给各市的保底任务数如下:杭州市174家、宁波市152家。",
     {"1532家": "member_schools", "174家": "member_schools", "152家": "member_schools"}),
    ("西藏中小学多媒体教室数量达9484间。支持1843个公办幼儿园改善办学条件。",
     {"9484间": "facilities", "1843个": "schools"}),
    # construction projects counted in 个 are facilities; a project team is not
    ("先后实施180个校安工程。泉州市计划今年秋季竣工投用中小学教育项目19个。组建5个“专递课堂”项目组。"
     "在校人数两千余人。已惠及7841名贫困生。",
     {"180个": "facilities", "19个": "facilities", "两千余人": "students", "7841名": "students"}),
    # a school stage in a list of people names a part of the list, not what is counted
    ("共有专任教师81025人,其中普通高中10274人、幼儿教育7746人、特殊教育260人。特殊教育学生有558名。",
     {"7746人": "teachers", "260人": "teachers", "558名": "students"}),
]


@pytest.mark.parametrize("text,expected", CATEGORY_CASES)
def test_categories(extractor, text, expected):
    got = claims(extractor, text)
    assert {k: got[k].category for k in expected} == expected


def test_a_goal_or_task_named_after_the_figure_is_a_target(extractor):
    got = claims(extractor, "为了达到公营小学有60%的目标。实施123所中小学校的消防设施改造任务。已完成80所学校的改造任务。")
    assert got["60%"].target and got["123所"].target and not got["80所"].target


def test_review_cases(extractor):
    """Forms a review found the new cues mistook (each was wrong once)."""
    long_paragraph = ("今年秋季,深圳新增公办中小学学位9万座,新建改扩建学校50所,其中高中学校12所,另有义务教育阶段学校"
                      "38所陆续投入使用。全市为中小学配备3D打印机500台。全市中小学智慧校园APP覆盖学校300所。")
    got = claims(extractor, long_paragraph)
    assert "500台" in got and "300所" in got          # 打印, APP are furniture words only in short lines
    got = claims(extractor, "江苏省出台电子学籍管理办法,全省新增公办学位5000个。")
    assert got["5000个"].region == "江苏省"            # 出台电子 is no news agency's dateline
    got = claims(extractor, "2024-03-01 来源:市教育局\n\n力争2025年内新建学校10所。\n")
    assert got["10所"].year == 2025                   # 2025年内 is 2025, not this year
    got = claims(extractor, "2024-03-01 来源:市教育局\n\n2012年以来,全市教育事业发展取得显著成效。\n全市共有中小学500所。\n")
    assert got["500所"].year is None                  # X年以来 is no report's year
    got = claims(extractor, "某市教育\n\n2019年—2023年,全市累计新建学校30所。\n\n全市共有专任教师3万人。\n")
    assert got["3万人"].year is None                  # a range is no timeline heading
    got = claims(extractor, "中央财政下达2024年学生资助补助经费\n\n全国共资助学生1500万人次。\n")
    assert got["1500万人次"].target is False          # money handed down is no plan
    got = claims(extractor, "2024-03-01 来源:某报\n\n2023年,全市完成123所学校的改造任务。实施124所学校的改造任务,现已全部完成。")
    assert not got["123所"].target and not got["124所"].target
    got = claims(extractor, "广东省教育事业发展统计公报发布\n\n全省共有各级各类学校3.2万所。\n")
    assert got["3.2万所"].region == "广东省"          # a title ending in 发布 is no masthead


def test_a_planned_projects_capacity_after_the_plan_is_a_target(extractor):
    got = claims(extractor, "目前,东丽学校前期手续正在办理中,计划今年上半年开工建设,2027年投入使用。项目可容纳36个教学班,可提供1800个学位。"
                            "该校去年建成。项目可容纳24个教学班。")
    assert got["36个"].target and got["1800个"].target and not got["24个"].target


TARGET_CUES = load_yaml((RULES_DIR / "attribution.yaml").read_text(encoding="utf-8"))["target_examples"]
TARGET_CASES = [(family, text, figure, want) for family, cases in TARGET_CUES.items()
                for want, key in ((True, "examples"), (False, "counter_examples"))
                for text, figure in cases.get(key, [])]


def test_every_target_cue_family_has_two_examples_and_a_counter_example():
    for family, cases in TARGET_CUES.items():
        assert len(cases.get("examples", [])) >= 1 and cases.get("counter_examples"), family
        assert len(cases["examples"]) + len(cases["counter_examples"]) >= 2, family


@pytest.mark.parametrize("family,text,figure,want", TARGET_CASES)
def test_target_cue_examples(extractor, family, text, figure, want):
    got = claims(extractor, text)
    assert figure in got, (family, sorted(got))
    assert got[figure].target is want, (family, text)


def test_a_title_repeated_on_its_own_line_states_its_claims_again(extractor):
    text = ("深圳中小学开学 新增学位9万座\n\n深圳中小学开学 新增学位9万座\n\n责任编辑:王锦坤 2024-09-02 来源:深圳特区报\n\n"
            " 9月2日,深圳中小学正式开学,开学新增学位达到9万座。\n")
    raw = RawArticle(path="t.txt", text=text, sha256="", encoding="utf-8", n_bytes=len(text.encode()))
    starts = sorted(c.start for c in extractor.process(raw).claims)
    first, second = text.find("9万座"), text.find("9万座", text.find("9万座") + 1)
    assert first in starts and second in starts and len(starts) == 3


def test_a_day_of_a_month_dates_a_news_item_in_its_own_year(extractor):
    text = ("城关区集团化办学推进会召开\n2021-02-26 19:07 来源:兰州日报\n\n"
            "在2月26日召开的城关区集团化办学工作推进会上,六个教育集团获批成立。\n")
    assert claims(extractor, text)["六个"].year == 2021
    undated = "城关区集团化办学推进会召开\n\n在2月26日召开的城关区集团化办学工作推进会上,六个教育集团获批成立。\n"
    assert claims(extractor, undated)["六个"].year is None


@pytest.mark.parametrize("text,figure,kind", [
    ("2020年全国教育经费总投入53033.87亿元,比上年增5.69%。", "5.69%", "change"),
    ("九成人获派首三志愿,较去年升三个百分点。", "三个百分点", "change"),
    ("财政教育支出从119.63亿元增长到221亿元,年均增幅为16.6%。", "16.6%", "change"),
    ("2019年西藏教育投入比2010年翻了两番。", "翻了两番", "change"),
    ("编制部门为派出支教教师学校核增200余个专项编制。", "200余个", "level"),
    ("全市学校增加到120所。", "120所", "level"),
])
def test_kind_of_rates_and_adjacent_change_words(extractor, text, figure, kind):
    assert claims(extractor, text)[figure].kind == kind


def test_a_headline_figure_takes_the_year_the_body_states_for_it(extractor):
    text = ("湖南又有18个县(市、区)成为义务教育发展基本均衡县\n2019-03-27 来源:湖南日报\n\n"
            "教育部公布了《2018年全国义务教育发展基本均衡县(市、区)名单》,其中湖南省18个县(市、区)榜上有名。\n")
    raw = RawArticle(path="t.txt", text=text, sha256="", encoding="utf-8", n_bytes=len(text.encode()))
    got = sorted((c.start, c.year) for c in extractor.process(raw).claims if c.text == "18个")
    assert [y for _, y in got] == [2018, 2018]


def test_a_version_label_is_no_time_cue(extractor):
    text = ("天津市教育局\n\n2008年至2020年,天津市连续实施三轮标准建设工程,先后出台建设标准2008年版、"
            "2013年版、2016年版,累计投入120亿元。\n")
    assert claims(extractor, text)["120亿元"].year == 2020


def test_the_present_later_in_its_sentence_dates_a_figure_with_no_time_before_it(extractor):
    text = ("推进集团化办学改革\n时间:2022-04-04来源:鞍山市教育局\n\n"
            "我市辖区内有三县(市)四区共七个行政区,现有义务教育阶段学校401所。\n\n"
            "学生人数由集团化办学初期的120多人,发展到现在1300余人。\n\n全市曾有学校500所,现有401所。\n")
    got = claims(extractor, text)
    assert got["七个"].year == 2022 and got["401所"].year == 2022
    assert got["120多人"].year is None and got["500所"].year is None


def test_a_plan_period_since_is_open_once_the_plan_has_ended(extractor):
    later = "云南省教育厅\n\n2022年有普通小学1.09万所。“十三五”以来先后投入各类资金400多亿元。\n"
    assert claims(extractor, later)["400多亿元"].year is None
    during = ("海南州教育发展综述\n2015-12-16 来源:青海日报\n\n"
              "“十二五”以来,海南州投资13.69亿元实施了校安工程。\n")
    assert claims(extractor, during)["13.69亿元"].year == 2015


def test_the_time_of_one_list_item_does_not_reach_the_next(extractor):
    inside = ("云南省教育厅\n\n一是注重标准引领。2015年,率先出台办学标准,新建学校30所。"
              "二是促进校校达标。建立覆盖全省6400所义务教育学校的监测制度。\n")
    got = claims(extractor, inside)
    assert got["30所"].year == 2015 and got["6400所"].year is None
    lead = "云南省教育厅\n\n2022年,全省做了两件事:一是新建学校30所;二是改扩建学校45所。\n"
    got = claims(extractor, lead)
    assert got["30所"].year == 2022 and got["45所"].year == 2022


def test_a_year_that_names_one_figure_dates_only_that_figure(extractor):
    text = ("云南省教育厅\n\n全省优质均衡监测达标率从2017年的62%提高到83%。"
            "外教数量由首批25名增加至2019年的120名,三年间增加了95名。全市12个区95所学校参与。\n")
    got = claims(extractor, text)
    assert got["62%"].year == 2017 and got["83%"].year is None
    assert got["120名"].year == 2019 and got["95名"].year == 2019     # the rest of its sentence
    assert got["95所"].year is None                                    # not the next sentence


def test_a_place_that_opens_its_sentence_with_zai_frames_it(extractor):
    text = ("杭州市上城区教育局\n\n上城区积极推动优质项目区内外共融。"
            "在常山,计划通过两年时间覆盖25所小学和7所中学。\n")
    got = claims(extractor, text)
    assert got["25所"].region == "浙江省衢州市常山县" and got["7所"].region == "浙江省衢州市常山县"


def test_yi_you_states_the_present(extractor):
    text = ("湖南芙蓉学校建设\n2020-05-23 来源:新华社\n\n记者从湖南省教育厅获悉,湖南已有16所芙蓉学校投入使用。\n")
    got = claims(extractor, text)["16所"]
    assert got.year == 2020 and got.year_source == "published"


def test_one_time_text_carries_its_time_across_paragraphs(extractor):
    text = "2024年全区共招收新生44122人。\n全区高中阶段学校共17所,在校生20658人。\n"
    got = claims(extractor, text)
    assert (got["17所"].year, got["17所"].year_source) == (2024, "carried")
    assert got["20658人"].year == 2024


def test_text_of_several_times_carries_nothing_across_paragraphs(extractor):
    text = "2019年全市有学校100所。\n2023年全市有学校120所。\n集团内参与交流人数共计219人。\n"
    assert claims(extractor, text)["219人"].year is None


def test_a_period_ends_the_carry(extractor):
    text = "2024年全区共有学校300所。\n近年来,全区新建学校共17所。\n全区教师5000人。\n"
    got = claims(extractor, text)
    assert got["17所"].year is None and got["5000人"].year is None


@pytest.mark.parametrize("text, year", [
    ("並計劃於2026/27年度在官立學校減少76個教師職位。", 2026),
    ("小學由2025/26年453間減至448間。", 2025),
    ("特區政府於二○二三/二○二四學校年度續向學生發放津貼,每名六千元。", 2023),
    ("《財政預算案》提出,一八/一九年度在教育的預算開支為一千一百三十億元。", 2018),   # f3i01
    ("教育局公布,21/22學年全港將有24000多個小一自行分配學額。", 2021),             # k15
])
def test_school_years_written_short_or_in_numerals(extractor, text, year):
    c = next(c for c in claims(extractor, text).values())
    assert c.year == year


def test_a_venue_inside_the_home_does_not_narrow_it(extractor):
    text = ("四川教育体系建设成效显著\n2025-11-14 来源:中新网\n\n"
            "中新网成都11月14日电 四川省人民政府新闻办公室14日在成都举行发布会,四川现有各级各类学校2.08万余所。\n\n"
            "发布会在成都举行。全省专任教师101万余人。\n")
    got = claims(extractor, text)
    assert got["2.08万余所"].region == "四川省" and got["101万余人"].region == "四川省"


def test_a_year_in_a_cited_documents_name_is_no_time_of_the_text(extractor):
    text = ("2019年,全国教育系统全面落实《加快推进教育现代化实施方案(2018-2022年)》,各项事业取得新进展。\n"
            "全国共有各级各类学校53.01万所。\n")
    assert claims(extractor, text)["53.01万所"].year == 2019


def test_a_plans_name_dates_its_figures_when_the_text_states_no_other_time(extractor):
    text = "自治区印发《基础教育质量振兴三年行动计划(2021—2023年)》。\n《行动计划》提出,新建150所公办幼儿园。\n"
    assert claims(extractor, text)["150所"].year == 2023


def test_a_budget_text_naming_no_place_is_placed_by_its_finance_secretary(extractor):
    text = "財政司司長陳茂波昨宣讀《財政預算案》,新年度教育開支再次突破一千億元大關。\n"
    assert claims(extractor, text)["一千億元"].region == "香港特别行政区"
    text = "經濟財政司司長今日介紹施政報告,教育發展基金撥款六億元。\n"
    assert claims(extractor, text)["六億元"].region == "澳门特别行政区"


@pytest.mark.parametrize("text, figure, category", [
    ("全区幼儿园校舍建筑面积达478.3万平方米。", "478.3万平方米", "facilities"),   # k08: area is facilities
    ("2024年全区各级各类学校共招收44122人。", "44122人", "students"),             # k09
    ("改扩建工程完成后,可容纳学生3000人。", "3000人", "school_places"),
    ("我省小学共有28.63万个班。", "28.63万个", "other"),                          # guideline: class counts
    ("联盟共开设骨干校长培训班、领导力提升培训班5个。", "5个", "activities"),      # seeds 003: 培训班 is no class
    ("現有在校學生47478人。其中:學前8234人,小學21333人。", "8234人", "students"),  # k06: parts after 其中
    ("本批238套教师周转宿舍分布在都龙镇。", "238套", "facilities"),             # k32: housing for teachers
    ("报告显示,87.8%的学生认为作业量明显减少。", "87.8%", "quality"),           # k65: a survey's share
    ("在官立学校减少76个教师职位,包括43个来自官立小学。", "43个", "teachers"),   # k14: a part by its origin
    ("当中包括85个官校职位。", "85个", "teachers"),                              # k14: posts
    ("仪器设备值17919.79万元,较上年增加463.26万元。", "17919.79万元", "facilities"),   # f3g05: what equipment is worth
    ("截止11月底,全港公营中学有45,363个空缺。", "45,363个", "school_places"),      # f1c03
    ("小学校数17所;毕业4008人;招生3675人。", "4008人", "students"),               # f3g05
    ("海淀北部地区新添8640个中小学学位。", "8640个", "school_places"),            # f2f06: 中 opens a noun here
    ("全市有5所中学。", "5所", "schools"),
    ("官立及资助小学将减少5间,由2025/26年453间,减至2026/27年448间。", "448间", "schools"),   # dev k14
])
def test_category_from_the_counted_thing(extractor, text, figure, category):
    assert claims(extractor, text)[figure].category == category


@pytest.mark.parametrize("text, figure, region", [
    ("马关县今年建设教师周转宿舍238套,分布在都龙镇茅坪小学20套、小坝子镇小坝子中学40套。", "40套",
     "云南省文山壮族苗族自治州马关县小坝子镇"),                       # k32: after a locative
    ("东莞共有29所新建学校。记者留意到,寮步镇新扩建学校数量最多,共有5所。", "5所", "广东省东莞市寮步镇"),   # k54
    ("信丰县学校改扩建项目投入使用,嘉定镇中心小学新增班级12个。", "12个", "江西省赣州市信丰县"),   # k31: a school's name
    ("全县15个乡镇新建学校20所。", "20所", None),                                                  # no town
])
def test_a_town_where_things_are_places_the_figure(extractor, text, figure, region):
    got = claims(extractor, text)[figure].region
    assert got == region if region else (got is None or not got.endswith(("镇", "乡")))


def test_a_spam_site_title_and_a_compound_named_after_a_place_are_no_evidence(extractor):
    text = ("皇冠crown体育(中国)官方网站IOS/安卓通用版/手机版下载\n\n"
            "郑州市今年新建学校3所。河东片还有沙田小区1所小学未建。\n")
    got = claims(extractor, text)
    assert got["3所"].region == "河南省郑州市" and got["1所"].region == "河南省郑州市"


def test_a_carried_year_gives_比上年_its_baseline(extractor):
    text = "2018年全省教育事业统计。\n全省共有小学5000所,比上年减少294所。\n"
    c = claims(extractor, text)["294所"]
    assert (c.year, c.baseline_year, c.value) == (2018, 2017, -294)


def test_a_bulletin_of_every_topic_yields_only_its_education_figures(extractor):
    text = ("庄浪县2021年国民经济和社会发展统计公报\n\n"
            "年末全县871户、1784名城镇居民享受政府最低生活保障。\n\n"
            "八、科技、教育、文化和卫生 科技:地方专业技术人员9705人。申请专利75件。 教育:全县有各级各类学校282所。"
            "全县投入资金3000万元。\n")
    got = claims(extractor, text)
    assert set(got) == {"282所", "3000万元"}


def test_an_education_text_keeps_figures_of_sentences_without_education_words(extractor):
    text = "某市推进集团化办学\n\n年末全市享受政府资助的家庭871户。\n"
    assert "871户" in claims(extractor, text)


def test_a_school_year_named_学校年度_in_full(extractor):
    text = "特區政府擬於2025/2026學校年度繼續發放津貼,學前教育階段津貼金額上限維持8,000元。\n"
    assert claims(extractor, text)["8,000元"].year == 2025


def test_a_sentence_going_on_from_a_plan_goes_on_planning(extractor):
    text = ("明年全市计划新建、改扩建中小学及幼稚园278所,其中141个项目将开工建设。\n\n以及73个续建项目。"
            "另外还有64所幼稚园、55所初中。\n\n今年全市已建成学校240所。其中,有113人到乡镇中学任教。\n")
    got = claims(extractor, text)
    assert got["73个"].target and got["64所"].target and got["55所"].target
    assert not got["240所"].target and not got["113人"].target


def test_parts_of_a_change_are_changes(extractor):
    text = "並計劃於2026/27年度在官立學校減少76個教師職位,包括43個來自官立小學及33個來自官立中學。\n"
    got = claims(extractor, text)
    assert [(got[k].kind, got[k].value) for k in ("76個", "43個", "33個")] == [
        ("change", -76), ("change", -43), ("change", -33)]


def test_heard_from_a_meeting_of_a_year_is_no_period_since_it(extractor):
    text = "2月3日,记者从2023年度太原市教育工作会上获悉,今年太原市计划新改扩建公办学校35所。\n"
    assert claims(extractor, text)["35所"].year == 2023
    assert claims(extractor, "自2015年,全市新建学校35所。\n")["35所"].year is None


def test_news_days_date_a_dated_items_figures(extractor):
    text = "苏州吴江组建11个公办义务教育集团\n2023-11-17 来源:新华日报\n\n日前,苏州市吴江区组建了11个公办义务教育集团。\n"
    assert claims(extractor, text)["11个"].year == 2023


def test_the_last_few_years_are_a_period(extractor):
    text = "2018-09-21 来源:沈阳日报\n\n学校预计将于今年年底投入使用。最近五年,于洪区新改扩建学校10所。\n"
    assert claims(extractor, text)["10所"].year is None


def test_now_in_an_undated_text_takes_no_carried_year(extractor):
    text = "武汉各区新建学校\n\n到2020年,全市新建学校50所。\n\n江汉区\n\n现有中小学51所。\n"
    assert claims(extractor, text)["51所"].year is None


def test_one_verb_two_counts_and_a_share_lists_no_parts_of_a_change(extractor):
    got = claims(extractor, "奥信小学新增班级24个学位1080个。\n")
    assert (got["24个"].kind, got["1080个"].kind) == ("change", "change")
    got = claims(extractor, "新增学校85所,城乡结合地区占新增学校总量的88.24%,其中包括42所幼儿园。\n")
    assert got["42所"].kind == "level"


def test_now_in_an_undated_review_of_a_plan_period_stays_undated(extractor):
    text = "四川“十四五”高质量教育体系建设成效显著\n\n四川现有各级各类学校2.08万余所。\n\n全省新建学校500所。\n"
    got = claims(extractor, text)
    assert got["2.08万余所"].year is None and got["500所"].year == 2025


# Where a figure is: each row a layout or wording that decides it (docs/decisions.md)
REGION_CASES = [
    pytest.param("漳州市平和县推进义务教育均衡发展。\n\n平和县今年新建学校5所。平和县新增学位3000个。\n",
                 "5所", "福建省漳州市平和县", id="the place inside that the body keeps naming narrows the home"),
    pytest.param("中央财政支持乡村教师\n2017-05-11 来源:中国财经报\n\n2017年,中央财政安排38亿元,支持乡村教师生活补助。\n",
                 "38亿元", "全国", id="central finance places a text naming no place in the nation"),
    pytest.param(("道里区今年新建学校4所。道里区教育局介绍了新学校。\n\n哈尔滨市松南学校\n"
            "位于群力第二大道,占地面积60559平方米。\n"),
                 "60559平方米", "黑龙江省哈尔滨市道里区", id="a school named after a wider place does not widen the text"),
    pytest.param("记者获悉,今年秋季郑州市郑东新区将新建改建3所中小学校,追加5040个中小学学位。\n",
                 "5040个", "河南省郑州市郑东新区", id="a named zone after its city is a place"),
    pytest.param("闵行区今年推进学校建设项目30个。\n\n浦江镇\n\n建筑面积133669平方米,幼儿园建设项目7个。\n",
                 "7个", "上海市闵行区浦江镇", id="a town on a line of its own heads the lines after it"),
    pytest.param("大连市推进校舍建设。普兰店市投资2.6亿元新建学校。\n",
                 "2.6亿元", "辽宁省大连市普兰店区", id="a district under its old county level city name"),
    pytest.param(("大连市推进校舍建设。\n普兰店市投资2.6亿元新建的北师大大连普湾附属学校完成主体施工。"
            "投资5948万元新建海湾小学。\n"),
                 "5948万元", "辽宁省大连市普兰店区", id="a school named after a wider place does not widen the place "),
    pytest.param("免費幼教只適用於約760間非牟利幼園,半日制每人每年資助3萬元,較本學年學券面值22,510元多33%。\n",
                 "約760間", "香港特别行政区", id="the kindergarten voucher places a text naming no place in ho"),
    pytest.param("温州市推进学校建设。\n\n明年在市区范围内,鹿城区建设规模最大,实施项目数达23个,\n\n包括9个完工项目、14个新开工项目。\n",
                 "9个", "浙江省温州市鹿城区", id="a line ending mid sentence carries its place into the next"),
    pytest.param("上海松江区今年新增学校。如松江区九亭镇今年新增加1所小学、1所幼儿园。\n",
                 "1所", "上海市松江区九亭镇", id="a town right after its district places the figure"),
]


@pytest.mark.parametrize("text, figure, region", REGION_CASES)
def test_region_of_the_figure(extractor, text, figure, region):
    assert claims(extractor, text)[figure].region == region


def test_the_year_right_before_de_dates_the_figure_after_it(extractor):
    text = "本澳出生率每年下降,2023年仅得3,712名,比2021年的5,026名减少了1314名。\n"
    got = claims(extractor, text)
    assert (got["3,712名"].year, got["5,026名"].year) == (2023, 2021)


def test_a_plan_period_since_in_an_undated_text_has_no_year(extractor):
    text = "四川学校办学条件明显改善。\n\n“十四五”以来,营养改善计划投入资金136亿元,较2020年校舍面积增长26%。\n"
    got = claims(extractor, text)
    assert got["136亿元"].year is None


def test_a_year_in_a_breakdown_aside_dates_only_the_aside(extractor):
    text = ("山西:21所新学校将在省城拔地而起\n2009-03-12 来源:景观中国网\n\n"
            "今年共涉及项目学校126所(含2008年续建项目学校18所),总建筑面积约98.7万平方米。\n")
    got = claims(extractor, text)
    assert (got["126所"].year, got["18所"].year, got["约98.7万平方米"].year) == (2009, 2008, 2009)


def test_a_projects_designed_size_takes_the_year_it_opens(extractor):
    text = ("沧州高新区中心学校下月开始动工!预计2021年投入使用\n发布时间: 2019-05-09 09:28:05\n\n"
            "沧州高新区中心学校建设项目已经获批,可容纳学生及教职工近5000人,预计2021年投入使用。\n\n"
            "幼儿园:设计规划为12个班,共容纳360人。\n")
    got = claims(extractor, text)
    assert got["近5000人"].year == 2021 and got["360人"].year == 2021


def test_this_batch_after_a_plan_goes_on_planning(extractor):
    text = ("今年,马关县将在部分农村学校建设教师周转宿舍238套。\n"
            "据悉,本批238套教师周转宿舍分布在都龙镇茅坪小学20套、保良街小学20套。\n")
    got = claims(extractor, text)
    assert got["20套"].target


def test_a_section_heading_naming_one_time_dates_its_section(extractor):
    text = ("某市教育发展规划\n\n一、“十五”期间我市教育事业取得的成果\n\n全市新建学校120所。\n\n"
            "二、“十一五”面临的形势\n\n全市学龄人口约50万人。\n")
    got = claims(extractor, text)
    assert got["120所"].year == 2005


def test_a_section_heading_dates_its_subsections_until_one_names_its_own_time(extractor):
    text = ("某市教育发展规划\n\n一、“十五”期间我市教育事业取得的成果\n\n(一)各级各类教育有了长足发展\n\n"
            "1、义务教育成效显著。全市新建学校120所。\n\n(二)2003年的工作\n\n全市新建学校30所。\n")
    got = claims(extractor, text)
    assert got["120所"].year == 2005        # (一) and 1、 name no time: the 一、 heading dates them
    assert got["30所"].year == 2003         # (二) names its own


def test_a_plan_whose_years_are_stated_dates_what_it_did_by_its_end(extractor):
    text = "《甘肃省学前教育三年行动计划(2011-2013年)》实施三年来,新建、改扩建幼儿园1300所。\n"
    assert claims(extractor, text)["1300所"].year == 2013     # guideline: a stated period's end year
    text = "近三年来,全省新建、改扩建幼儿园1300所。\n"
    assert claims(extractor, text)["1300所"].year is None      # no period stated


def test_a_plan_text_looking_back_states_no_targets(extractor):
    text = ("海淀“十四五”教育规划:5年将新增学位近4万个\n\n发布时间:2020-11-19\n\n"
            "“十四五”时期,海淀区计划新增中小学学位3.6万个。\n\n"
            "“十三五”期间,海淀区通过新建改扩建,5年间新增中小学学位1.37万个。\n\n"
            "全区新建学校126所(含2008年续建项目学校18所)。\n")
    got = claims(extractor, text)
    assert got["3.6万个"].target
    assert not got["1.37万个"].target        # 十三五 was over when the plan was written (dev k41)
    assert got["18所"].target                # a part in brackets dates nothing


def test_last_years_own_figure_is_dated_a_year_before_its_sentence(extractor):
    text = "2017年全国教育经费总投入为42562.01亿元,比上年的38888.39亿元增长9.45%。\n"
    got = claims(extractor, text)
    assert got["42562.01亿元"].year == 2017
    assert got["38888.39亿元"].year == 2016          # 比上年的…: last year's own figure (fresh f5o07)
    assert got["9.45%"].year == 2017 and got["9.45%"].baseline_year == 2016
    text = "2018年津贴金额合共3,014万元,上学年则为2600多万元。\n"
    assert claims(extractor, text)["2600多万元"].year == 2017
    text = "全市教育经费\n2018-09-01\n\n津贴金额合共3,014万元,去年则为2500万元。\n"
    assert claims(extractor, text)["2500万元"].year == 2017      # once, not 去年 and then a year off


def test_a_projects_size_before_the_sentence_saying_when_it_is_done(extractor):
    text = ("南宁市海晖路初级中学位于五象新区;建设规模按48个教学班设置,总建筑面积约3.56万平方米。"
            "计划于2022年8月底竣工。\n")
    got = claims(extractor, text)
    assert got["约3.56万平方米"].target and got["约3.56万平方米"].year == 2022      # fresh f5m02
    text = "犀浦小学建筑面积约0.37万平方米。目前,项目已完成建设,预计2024年9月投入使用。\n"
    assert not claims(extractor, text)["约0.37万平方米"].target                      # built (fresh f1c07)


def test_a_running_plan_period_before_what_is_done_in_it(extractor):
    text = "乌鲁木齐高新区“十三五”新建35所学校\n\n2017-02-16 10:12:51 来源:亚心网\n\n全区现有学校40所。\n"
    got = claims(extractor, text)
    assert got["35所"].target and got["35所"].year == 2020     # fresh f5n06: the plan's end year


def test_a_point_of_view_opens_no_period_and_last_years_figure_in_a_report(extractor):
    text = ("2020年全国教育经费统计公告\n"
            "其中,国家财政性教育经费为42908.15亿元,比上年的40046.55亿元增长7.15%。"
            "从2020年各地区一般公共预算教育经费来看,广东投入超过2000亿元。\n")
    got = claims(extractor, text)
    assert got["40046.55亿元"].year == 2019           # dev k68: last year's own figure
    assert got["超过2000亿元"].year == 2020           # 从…来看 is no period since 2020
