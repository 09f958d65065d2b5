"""A matching model an older version saved, before models carried their training version, is
trained again on the next build, with its reason, rather than failing the night."""

import shutil

import duckdb

from tests.helpers import query, run_transform


def test_a_model_saved_without_a_training_version_is_trained_again(built_sample, tmp_path):
    warehouse = tmp_path / "warehouse" / "cdp.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(built_sample, warehouse)
    with duckdb.connect(str(warehouse)) as connection:
        for column in ("training_version", "trained_because"):
            connection.execute(
                f"alter table intermediate.int_identity_match_model drop column {column}")
    [(saved,)] = query(warehouse, "select count(*) from intermediate.int_identity_match_model")

    run_transform(warehouse)

    newest = query(warehouse, """
        select trained_because, training_version is not null, is_trained
        from intermediate.int_identity_match_model order by trained_at desc limit 1""")
    assert newest == [("its training settings or code changed", True, True)]
    assert query(warehouse, "select count(*) from intermediate.int_identity_match_model") == [
        (saved + 1,)]
