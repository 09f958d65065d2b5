"""The data map lists every column that holds someone's email or phone, found from the data
itself rather than from the column's name."""


import duckdb

from cdp.privacy.data_map import build_data_map, render_markdown
from cdp.privacy.policy import load_policy
from cdp.sources.registry import configured_systems
from cdp.transformation.manifest import deployment_manifest

EMAIL_SHAPE = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[a-z]{2,}"
# A phone as the sample writes them (+84 or a trunk 0, then 9 or 10 digits), separators aside.
PHONE_SHAPE = r"^(\+?84|0)[1-9][0-9]{8,9}$"


def test_every_column_holding_an_email_or_phone_is_on_the_map(built_sample):
    manifest = deployment_manifest()
    with duckdb.connect(str(built_sample), read_only=True) as connection:
        mapped = build_data_map(connection, load_policy(), manifest)
        holding = set()
        for schema, table, column in connection.execute("""
                select table_schema, table_name, column_name from information_schema.columns
                where table_catalog = current_database() and data_type = 'VARCHAR'
                    and table_schema not in ('reference') and table_name not like '\\_dlt%'
                    escape '\\'""").fetchall():
            [(found,)] = connection.execute(f"""
                select count(*) filter (where regexp_matches("{column}", '{EMAIL_SHAPE}')
                    or regexp_matches(regexp_replace("{column}", '[ .()-]', '', 'g'),
                                      '{PHONE_SHAPE}'))
                from "{schema}"."{table}" """).fetchall()
            if found:
                holding.add((f"{schema}.{table}", column))
    listed = {(table.table, column) for table in mapped for column, _ in table.columns}
    assert holding, "the sample holds emails and phones"
    assert holding - listed == set()
    by_table = {table.table: table for table in mapped}
    assert by_table["raw_crm.contacts"].sources == ("crm",)
    assert set(by_table["marts.customers"].sources) == set(configured_systems())
    assert by_table["raw_website.events"].retention == "762 days from its `timestamp`"
    assert "| `marts.customers` |" in render_markdown(mapped)
