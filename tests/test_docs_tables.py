"""docs/tables.md and schemas/*.json are generated from the models and committed current."""
from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from extract.authoring.docs_tables import ROOT, expected_files, render_markdown, render_schemas, stale_files
from extract.models import TABLES, arrow_schema


def test_committed_files_are_current():
    stale = [str(p.relative_to(ROOT)) for p in stale_files()]
    assert not stale, f"regenerate with `python -m extract.authoring.docs_tables`: {stale}"


def test_every_table_and_column_is_documented():
    md = render_markdown()
    for name, model in TABLES.items():
        assert f"\n## {name}\n" in md
        for field in arrow_schema(model):
            assert model.model_fields[field.name].description, f"{name}.{field.name} has no description"
            assert f"| `{field.name}` | {field.type} |" in md


@pytest.mark.parametrize("name", list(TABLES))
def test_json_schema_matches_model(name):
    schema = json.loads(render_schemas()[name])
    model = TABLES[name]
    assert list(schema["properties"]) == list(model.model_fields)
    required = {n for n, f in model.model_fields.items() if f.is_required()}
    assert set(schema.get("required", [])) == required
    assert schema["additionalProperties"] is False


def test_check_detects_a_stale_file(tmp_path):
    for path, text in expected_files(tmp_path).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert stale_files(tmp_path) == []
    (tmp_path / "schemas" / "claims.json").write_text("{}\n", encoding="utf-8")
    assert stale_files(tmp_path) == [tmp_path / "schemas" / "claims.json"]


def test_written_parquet_schema_is_the_documented_one(tmp_path):
    """The writer's files carry exactly the documented columns and types."""
    from extract.runs.writer import TableWriter
    for name in TABLES:
        w = TableWriter(tmp_path, name)
        path = w.commit()
        assert pq.read_schema(path).remove_metadata().equals(arrow_schema(TABLES[name]).remove_metadata())
