"""Output records: the one source of the Parquet schemas and of schemas/*.json.

Each table is a pydantic model; `arrow_schema(Model)` derives the explicit
pyarrow schema the writer uses, so the tables, the JSON Schemas and the docs
cannot drift apart.
"""
from __future__ import annotations

import types
import typing
from typing import TYPE_CHECKING, Literal, Optional

if TYPE_CHECKING:
    import pyarrow as pa

from pydantic import BaseModel, ConfigDict, Field, model_validator

Qualifier = Literal["exact", "approx", "lower_bound", "upper_bound"]
Kind = Literal["level", "change"]
# Where a claim's region and year came from, nearest first (see docs/decisions.md).
RegionSource = Literal["sentence", "paragraph", "section", "heading", "title", "institution",
                       "national", "body", "none"]
YearSource = Literal["sentence", "paragraph", "carried", "table", "section", "heading", "title", "report",
                     "school_year", "dateline", "published", "inferred", "none"]
DocKind = Literal["news", "bulletin", "report", "plan", "notice", "reply", "entry"]
Category = Literal[
    "education_groups", "school_districts", "member_schools", "schools", "students",
    "teachers", "coverage", "school_places", "funding", "facilities", "quality",
    "activities", "regions", "other",
]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# `article` is the join key of every table.  articles and errors called it `path`
# before; that column stays, equal to `article`, for one release (0.1.x), and goes in 0.2.
_PATH_DEPRECATED = "deprecated: the same as `article` (the name this table used before); removed in 0.2"


class _KeyedByArticle(Record):
    """A record whose `article` may be given as `path` (the old name), and the other way round."""

    @model_validator(mode="before")
    @classmethod
    def _article_and_path(cls, data):
        if isinstance(data, dict):
            if "article" not in data and "path" in data:
                data = {**data, "article": data["path"]}
            elif "path" not in data and "article" in data:
                data = {**data, "path": data["article"]}
        return data

    @model_validator(mode="after")
    def _same_key(self):
        if self.article != self.path:
            raise ValueError(f"article {self.article!r} and its deprecated copy path {self.path!r} differ")
        return self


class Claim(Record):
    """One numeric claim; the guideline's columns first, then provenance."""
    article: str = Field(description="article key, the join key of every table: path relative to the input folder, or for a table row its id, else url, else file#row (articles.article)")
    start: int = Field(description="start offset (Python str index) in the decoded original text; for html pages and table rows in articles.text")
    end: int = Field(description="end offset, exclusive")
    text: str = Field(description="exactly text[start:end] of the original article")
    value: float = Field(description="the number in base units (2.31万 -> 23100; 43.6% -> 43.6)")
    value_max: Optional[float] = Field(None, description="upper end of a range (1-2个 -> 2)")
    unit: str = Field(description="canonical unit: %, 百分点, 人, 人次, 元, 平方米, ratio, or the measure word")
    qualifier: Qualifier = Field(description="exact | approx | lower_bound | upper_bound")
    kind: Kind = Field(description="level (a stock or state) or change (signed difference)")
    target: bool = Field(description="a planned or promised value")
    category: Category = Field(description="controlled vocabulary of what is counted")
    subject: str = Field(description="what is counted or measured, in the article's words")
    region: Optional[str] = Field(None, description="administrative area as a full path, e.g. 辽宁省鞍山市")
    entity: Optional[str] = Field(None, description="the single school or group the claim is about")
    year: Optional[int] = Field(None, description="year the value refers to")
    baseline_year: Optional[int] = Field(None, description="year a change or comparison is measured from")
    currency: Optional[str] = Field(None, pattern=r"^[A-Z]{3}$", description="for money (unit 元): its currency, ISO 4217 (CNY, HKD, MOP, USD, TWD …), from a currency word with the figure (3亿港元, 人民币5000万元, 6.5亿(澳门元)) or a (港元,下同) before it, else the text's home region (HKD in Hong Kong texts, MOP in Macau texts, CNY elsewhere); null for every other unit")
    province: Optional[str] = Field(None, description="province-level part of region")
    city: Optional[str] = Field(None, description="prefecture-level part of region")
    county: Optional[str] = Field(None, description="county-level part of region")
    region_code: Optional[str] = Field(None, description="official 6-digit administrative code of region")
    region_source: RegionSource = Field("none", description="where region came from: the claim's sentence, its paragraph, section, a heading line, the title, an institution named (统计暨普查局 -> 澳门), national evidence (教育部, 我国), the places named in the body, or none")
    year_source: YearSource = Field("none", description="where year came from: the claim's sentence, its paragraph, carried from an earlier paragraph of a text that states one time (articles.time_frame), a table's year cell, year column or title, the title's year, a named report or bulletin (《2019年…报告》), a school year the text names (2023/2024学校年度: school_year), a year alone on a top line (dateline), the publication date (目前, 今年, a news headline), the year an undated text was written as inferred from one figure given with 明年 and with 2021年, or none")
    region_start: Optional[int] = Field(None, description="start offset (same text as `start`) of the words that gave region: the place named (杭州市), deixis (我省, 全市), a list of places, a heading line, the title's or header's place, an institution; null when no words did (the places named across the body, metadata) or region is null")
    region_end: Optional[int] = Field(None, description="end offset, exclusive, of the words that gave region")
    year_start: Optional[int] = Field(None, description="start offset of the time words that gave year (2023年, 去年, 今年, 目前, “十四五”期间, a report's name, a heading's or the title's year, the publication date line); null when no words of the text did (a date given as metadata, a table cell) or year is null")
    year_end: Optional[int] = Field(None, description="end offset, exclusive, of the time words that gave year")
    category_cue: Optional[str] = Field(None, description="what set category: the keyword in the text (category_cue_start/end), or, with null offsets, how: `rule ID` (the quantity rule's own category), `unit U` (the unit's category), `table header …`/`table title …` (a table column's words); a claim that takes its category from the figure before it (其中…, a list's head) has that figure's cue; null for `other` with no cue")
    category_cue_start: Optional[int] = Field(None, description="start offset of category_cue's words in the text; null when they are not words of the text")
    category_cue_end: Optional[int] = Field(None, description="end offset, exclusive, of category_cue's words")
    kind_cue: Optional[str] = Field(None, description="what made kind `change`: the change word (新增, 减少, 提高), or `rule ID` (翻两番); an item of a list of changes has the list's word; null for `level` (no cue needed)")
    kind_cue_start: Optional[int] = Field(None, description="start offset of kind_cue's words in the text")
    kind_cue_end: Optional[int] = Field(None, description="end offset, exclusive, of kind_cue's words")
    target_cue: Optional[str] = Field(None, description="what made target true: the cue words (计划, 到2025年, 将, 预计…建成, a goal after the figure, a budget), or, with null offsets, how (`a text of kind plan`, `a title that announces`); null when target is false")
    target_cue_start: Optional[int] = Field(None, description="start offset of target_cue's words in the text")
    target_cue_end: Optional[int] = Field(None, description="end offset, exclusive, of target_cue's words")
    claim_group: str = Field(description="id shared by claims of the same figure (region, category, unit, value, year) across articles")
    sentence: str = Field(description="the sentence the claim comes from (original text)")
    rule_id: str = Field(description="id of the quantity rule that matched")
    extractor_version: str = Field(description="package version + rule-pack hash + hash of stage code, cue files and gazetteer")


class ArticleRow(_KeyedByArticle):
    """An input article: a .txt/.md file, a web page, or one row of a table
    (.jsonl/.ndjson, .csv, .parquet), with the metadata found in its text
    (title, published, source) and the metadata given with it (*_given, url)."""
    article: str = Field(description="article key, the join key of every table: path relative to the input folder; for a table row its id, else its url, else file#row")
    path: str = Field(description=_PATH_DEPRECATED)
    sha256: str = Field(description="sha256 of the raw bytes; for a table row of its text and metadata as given")
    title: Optional[str] = Field(None, description="title from the metadata header found in the text")
    published: Optional[str] = Field(None, description="publication date (ISO) from the header found in the text")
    source: Optional[str] = Field(None, description="source from the header (来源)")
    encoding: Optional[str] = Field(None, description="encoding the file was decoded from")
    chars: int = Field(description="characters in the decoded text")
    claims: int = Field(description="number of claims extracted")
    status: Literal["ok", "error"] = Field(description="ok, or error (see the errors table)")
    extractor_version: str = Field(description="package version + rule-pack hash + hash of stage code, cue files and gazetteer")
    furniture_sentences: int = Field(0, description="sentences dropped as page furniture (menus, share bars, copyright and contact lines, related links); `extract explain` shows why")
    kind: Optional[DocKind] = Field(None, description="kind of text: news, bulletin, report, plan, notice, reply (立法会 answers), entry")
    reference_year: Optional[int] = Field(None, description="year of claims that state none (a report's or bulletin's own year, the title's year)")
    year_source: Optional[str] = Field(None, description="what decided reference_year: report (a named report or bulletin) | school_year (a school year the text names) | dateline (a year alone on a top line) | title | none")
    anchor_year: Optional[int] = Field(None, description="year that 今年/目前 refer to: the publication year, else reference_year")
    time_frame: Optional[Literal["one", "several", "none"]] = Field(None, description="how many times the body states (years, 今年/目前, baselines, periods): one (a stated time then carries across paragraphs, year_source carried), several (it carries no further than its paragraph) or none")
    time_frame_years: Optional[str] = Field(None, description="the distinct years the body states, comma-separated: the evidence for time_frame")
    home_region: Optional[str] = Field(None, description="region the article is about, as a full path")
    region_source: Optional[str] = Field(None, description="what decided home_region: title | body | institution | national | none")
    context_evidence: Optional[str] = Field(None, description="JSON list of the evidence found for place and time: kind (title, published, report, school_year, inferred, reprint (a page date later than every deadline the text sets: the anchor year is the text's own latest year), announcement, masthead, dateline, byline, navigation, caption, example, institution, national, body), start and end offsets into the same text as the claims' (absent when the evidence is no span of the text: metadata, the places named across the body), text, region, year")
    input_format: Literal["txt", "md", "html", "jsonl", "csv", "parquet"] = Field("txt", description="the input's format, by file extension (.ndjson is jsonl, .htm html)")
    file: Optional[str] = Field(None, description="for a table row: the table file relative to the input folder")
    row: Optional[int] = Field(None, description="for a table row: its 0-based data row in `file` (header not counted)")
    url: Optional[str] = Field(None, description="URL given with the input (table url column; HTML canonical or og:url)")
    title_given: Optional[str] = Field(None, description="title given with the input (table title column; HTML metadata), beside `title` found in the text")
    published_given: Optional[str] = Field(None, description="publication date given with the input (table date column; HTML metadata): YYYY-MM-DD, or YYYY-MM / YYYY when only that is known; `published` is the date found in the text's header")
    site_given: Optional[str] = Field(None, description="site name from an HTML page's metadata")
    published_from: Optional[Literal["given", "text"]] = Field(None, description="which date gave the publication year (anchor_year): given (published_given, which outranks) or text (published, or a date line at the top); null when neither")
    text: Optional[str] = Field(None, description="for html and table rows: the text claims' and entities' offsets refer to (extracted text or the row's cell); null for .txt/.md, whose file is that text")


class EntityRow(Record):
    article: str = Field(description="article key (articles.article)")
    start: int = Field(description="start offset in the original text")
    end: int = Field(description="end offset, exclusive")
    text: str = Field(description="exactly text[start:end]")
    label: Literal["REGION", "SCHOOL", "GROUP", "POLICY"] = Field(description="entity type")
    region: Optional[str] = Field(None, description="for REGION: resolved full path")
    region_code: Optional[str] = Field(None, description="for REGION: official code")


class ErrorRow(_KeyedByArticle):
    """Severity `error`: something is missing from the output -- an article (its
    articles row has status error: unreadable, undecodable, too large, over the
    time budget, a stage failed), a claim dropped because its rule gave a value
    outside the schema (the article stays ok), or a folder that could not be
    read.  `extract run` then exits with status 3.  Severity `warning`: nothing
    is missing but look -- an article kept with undecodable bytes replaced by
    U+FFFD (offsets and count in `reason`), a file skipped (not an article, or
    a symbolic link out of the input folder without --follow-symlinks)."""
    article: str = Field(description="what the problem is about, as the join key of every table: the article key (a file's path relative to the input folder, a table row's key), else the path of the table, folder or skipped file")
    path: str = Field(description=_PATH_DEPRECATED)
    stage: str = Field(description="load | extract | skip")
    reason: str = Field(description="what went wrong, for a person to read")
    severity: Literal["error", "warning"] = Field(
        "error", description="error: the article (or one of its claims) is lost; "
                             "warning: kept, but look (bytes replaced while decoding, a file skipped)")
    file: Optional[str] = Field(None, description="for a table row: the table file relative to the input folder")
    row: Optional[int] = Field(None, description="for a table row: its 0-based data row in `file` (header not counted)")


TABLES: dict[str, type[Record]] = {
    "claims": Claim, "articles": ArticleRow, "entities": EntityRow, "errors": ErrorRow,
}

def _arrow_type(annotation) -> tuple["pa.DataType", bool]:
    """(arrow type, nullable) for a field annotation."""
    nullable = False
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(annotation))
        annotation = args[0]
        origin = typing.get_origin(annotation)
    if origin is Literal:
        annotation = type(typing.get_args(annotation)[0])
    import pyarrow as pa
    return {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}[annotation], nullable


def arrow_schema(model: type[Record]) -> "pa.Schema":
    import pyarrow as pa   # 0.2 s: only where tables are written or read, not for explain or rules test
    fields = []
    for name, info in model.model_fields.items():
        typ, nullable = _arrow_type(info.annotation)
        meta = {"description": info.description or ""}
        fields.append(pa.field(name, typ, nullable=nullable, metadata=meta))
    return pa.schema(fields, metadata={b"pandas": pandas_metadata(fields)})


# pandas dtypes per Arrow type: (pandas_type, numpy_type); a nullable integer is
# pandas' Int64 (2021, <NA>), never float64 (2021.0, NaN).
_PANDAS = {"int64": ("int64", "int64"), "double": ("float64", "float64"), "bool": ("bool", "bool"),
           "string": ("unicode", "object")}


def pandas_metadata(fields) -> bytes:
    """The `pandas` schema metadata pyarrow's to_pandas (and pd.read_parquet) reads,
    written by hand: a run's processes never import pandas (see runs/writer.py)."""
    import json

    columns = []
    for f in fields:
        pandas_type, numpy_type = _PANDAS[str(f.type)]
        if f.nullable and str(f.type) == "int64":
            numpy_type = "Int64"
        columns.append({"name": f.name, "field_name": f.name, "pandas_type": pandas_type,
                        "numpy_type": numpy_type, "metadata": None})
    return json.dumps({"index_columns": [], "column_indexes": [], "columns": columns, "attributes": {},
                       "creator": {"library": "extract", "version": "models"}, "pandas_version": "2.0.0"},
                      separators=(",", ":")).encode()
