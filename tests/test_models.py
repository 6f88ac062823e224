"""models: the Arrow schemas follow the pydantic models; Parquet files round-trip."""
from __future__ import annotations

import typing
from typing import Literal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extract.models import TABLES, ArticleRow, Claim, EntityRow, ErrorRow, arrow_schema

PY_TO_ARROW = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}


def expected_field(annotation) -> tuple[pa.DataType, bool]:
    args = typing.get_args(annotation)
    nullable = type(None) in args
    if nullable:
        (annotation,) = [a for a in args if a is not type(None)]
    if typing.get_origin(annotation) is Literal:
        (kind,) = {type(v) for v in typing.get_args(annotation)}
        annotation = kind
    return PY_TO_ARROW[annotation], nullable


def test_tables_registry():
    assert TABLES == {"claims": Claim, "articles": ArticleRow, "entities": EntityRow, "errors": ErrorRow}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_arrow_schema_matches_model(name):
    model = TABLES[name]
    schema = arrow_schema(model)
    assert schema.names == list(model.model_fields), "same names, same order"
    for fname, info in model.model_fields.items():
        field = schema.field(fname)
        typ, nullable = expected_field(info.annotation)
        assert field.type == typ, (fname, field.type, typ)
        assert field.nullable == nullable, (fname, field.nullable, nullable)
        assert field.metadata and field.metadata[b"description"].decode() == (info.description or ""), fname
        assert info.description, f"{name}.{fname} has no description"


def test_nullable_fields_are_exactly_the_optional_ones():
    schema = arrow_schema(Claim)
    nullable = {f.name for f in schema if f.nullable}
    assert nullable == {"value_max", "region", "entity", "year", "baseline_year",
                        "province", "city", "county", "region_code", "currency",
                        "region_start", "region_end", "year_start", "year_end",
                        "category_cue", "category_cue_start", "category_cue_end",
                        "kind_cue", "kind_cue_start", "kind_cue_end",
                        "target_cue", "target_cue_start", "target_cue_end"}


CLAIM = dict(
    article="a/b.txt", start=10, end=16, text="13万余人", value=130000.0, value_max=None, unit="人",
    qualifier="lower_bound", kind="level", target=False, category="students", subject="学生",
    region="辽宁省沈阳市和平区", entity=None, year=2020, baseline_year=None, province="辽宁省",
    city="沈阳市", county="和平区", region_code="210102", claim_group="0123456789abcdef",
    sentence="涉及学生13万余人。", rule_id="count.measure_word", extractor_version="0.1.0+rules.abc",
)
SAMPLES = {
    "claims": [
        Claim(**CLAIM),
        Claim(**{**CLAIM, "value": -551.0, "unit": "所", "kind": "change", "target": True, "region": None,
                 "province": None, "city": None, "county": None, "region_code": None, "year": None,
                 "value_max": 2.0, "baseline_year": 2019, "entity": "锦州市八中教育集团", "text": "551所"}),
        Claim(**{**CLAIM, "value": 1.2e10, "unit": "", "qualifier": "approx", "text": "120亿"}),
    ],
    "articles": [
        ArticleRow(path="a.txt", sha256="0" * 64, title="标题", published="2020-10-23T20:23:08", source="北国网",
                   encoding="gb18030", chars=7000, claims=3, status="ok", extractor_version="v"),
        ArticleRow(path="b.txt", sha256="", chars=0, claims=0, status="error", extractor_version="v"),
    ],
    "entities": [
        EntityRow(article="a.txt", start=0, end=3, text="辽宁省", label="REGION", region="辽宁省",
                  region_code="210000"),
        EntityRow(article="a.txt", start=5, end=11, text="华山中学", label="SCHOOL"),
    ],
    "errors": [ErrorRow(path="x.txt", stage="load", reason="empty: empty file")],
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_parquet_round_trip(name, tmp_path):
    model = TABLES[name]
    records = SAMPLES[name]
    schema = arrow_schema(model)
    path = tmp_path / f"{name}.parquet"
    pq.write_table(pa.Table.from_pylist([r.model_dump() for r in records], schema=schema), path)
    table = pq.read_table(path)
    assert table.schema.equals(schema, check_metadata=False)
    assert [model.model_validate(row) for row in table.to_pylist()] == records


@pytest.mark.parametrize("name", sorted(TABLES))
def test_empty_table_round_trip(name, tmp_path):
    schema = arrow_schema(TABLES[name])
    path = tmp_path / f"{name}.parquet"
    pq.write_table(schema.empty_table(), path)
    assert pq.read_schema(path).equals(schema, check_metadata=False)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_run_output_has_model_schema(name, seeds_out):
    """The files the batch run writes carry exactly the model's schema, nullability included."""
    written = pq.read_schema(seeds_out / f"{name}.parquet")
    assert written.equals(arrow_schema(TABLES[name]), check_metadata=False), (written, arrow_schema(TABLES[name]))


def test_seed_claims_round_trip(seed_claims, tmp_path):
    records = [Claim.model_validate(row) for row in seed_claims]
    path = tmp_path / "claims.parquet"
    pq.write_table(pa.Table.from_pylist([r.model_dump() for r in records], schema=arrow_schema(Claim)), path)
    assert [Claim.model_validate(r) for r in pq.read_table(path).to_pylist()] == records


def test_models_reject_bad_values():
    from pydantic import ValidationError
    for bad in ({"qualifier": "roughly"}, {"kind": "delta"}, {"category": "pupils"}, {"colour": "red"}):
        with pytest.raises(ValidationError):
            Claim(**{**CLAIM, **bad})
    with pytest.raises(ValidationError):
        ArticleRow(path="a", sha256="", chars=0, claims=0, status="maybe", extractor_version="v")
