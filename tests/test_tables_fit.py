"""Tables that fit pandas and DuckDB (issue 18, part 6): nullable integers read
as pandas Int64, and one join key, `article`, in every table."""
from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from extract.models import TABLES, arrow_schema
from extract.report.query import run_query
from extract.runs.run import run

TEXT = "鞍山市教育集团\n\n目前鞍山市组建教育集团55个。2020年新增学位4500个,全市共有学校若干。\n"
UNDATED = "学区\n\n共划分学区12个。\n"


@pytest.fixture(scope="module")
def out(tmp_path_factory, extractor):
    root = tmp_path_factory.mktemp("fit")
    inp = root / "in"
    inp.mkdir()
    (inp / "a.txt").write_text(TEXT, encoding="utf-8")
    (inp / "b.txt").write_text(UNDATED, encoding="utf-8")
    (inp / "empty.txt").write_text("", encoding="utf-8")
    (inp / "rows.jsonl").write_text(json.dumps({"id": "r1", "text": TEXT, "date": "2022-04-13"},
                                               ensure_ascii=False) + "\n", encoding="utf-8")
    out = root / "out"
    run(inp, out, extractor, progress=False)
    return out


NULLABLE_INTS = {"claims": ["year", "baseline_year"], "articles": ["reference_year", "anchor_year", "row"],
                 "errors": ["row"]}


@pytest.mark.parametrize("table", sorted(NULLABLE_INTS))
def test_nullable_integers_read_as_pandas_int64(out, table):
    df = pd.read_parquet(out / f"{table}.parquet")
    for column in NULLABLE_INTS[table]:
        assert str(df[column].dtype) == "Int64", (table, column, df[column].dtype)
    # and the same through pyarrow's to_pandas
    df2 = pq.read_table(out / f"{table}.parquet").to_pandas()
    assert all(str(df2[c].dtype) == "Int64" for c in NULLABLE_INTS[table])


def test_years_are_whole_numbers_with_missing_values(out):
    claims = pd.read_parquet(out / "claims.parquet")
    a = claims[claims["article"] == "a.txt"].set_index("text")["year"]
    assert a["4500个"] == 2020 and str(a["4500个"]) == "2020"
    assert claims["year"].isna().any(), "the test needs a claim without a year (b.txt)"
    # non-null integers stay plain int64, floats float64, flags bool
    assert (str(claims["start"].dtype), str(claims["value"].dtype), str(claims["target"].dtype)) == \
        ("int64", "float64", "bool")


def test_every_nullable_integer_column_of_every_model_is_int64():
    for name, model in TABLES.items():
        schema = arrow_schema(model)
        meta = {c["name"]: c["numpy_type"] for c in schema.pandas_metadata["columns"]}
        assert list(meta) == schema.names
        for field in schema:
            if str(field.type) == "int64":
                assert meta[field.name] == ("Int64" if field.nullable else "int64"), (name, field.name)


def test_every_table_joins_on_article(out):
    arts = pd.read_parquet(out / "articles.parquet")
    assert list(arts.columns[:2]) == ["article", "path"] and (arts["article"] == arts["path"]).all()
    for table in ("claims", "entities", "errors"):
        df = pd.read_parquet(out / f"{table}.parquet")
        assert len(df), table
        merged = df.merge(arts[["article", "status"]], on="article", how="left", validate="many_to_one")
        assert merged["status"].notna().all(), table   # every row finds its article
    errors = pd.read_parquet(out / "errors.parquet")
    assert errors.set_index("article").loc["empty.txt", "stage"] == "load"
    assert (errors["article"] == errors["path"]).all()   # the old name, kept for one release
    n = run_query("select count(*) as n from claims join articles using (article)", out)["n"][0].as_py()
    assert n == len(pd.read_parquet(out / "claims.parquet"))
    joined = run_query("select e.article, a.status from errors e join articles a using (article)", out).to_pylist()
    assert joined == [{"article": "empty.txt", "status": "error"}]
