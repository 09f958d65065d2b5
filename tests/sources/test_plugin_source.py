"""A source added by configuration alone: a package outside `cdp` (its ExportSpec, one staging
model, the models it adds to the records and identifiers unions) named in
`CDP_SOURCES_PLUGINS` is loaded by dlt, built by dbt, and its records reach
`marts.customer_records` and a privacy request's subject, with no other file edited."""

import sys
from pathlib import Path

import duckdb
import pytest

from cdp.privacy.subjects import describe_subject, matching_customers
from cdp.settings import use_settings
from cdp.sources.pipeline import duckdb_destination, ingest_exports
from cdp.transformation.dbt_runner import dbt_build

PLUGIN = "cdp_test_loyalty"

_DECLARATION = '''
"""A loyalty program's members export: one CSV row per member."""

from pathlib import Path

from cdp.ingestion.spec import ExportSpec
from cdp.sources.source import Source, StagedRecords

MEMBERS = ExportSpec(
    system="loyalty",
    table="members",
    file_format="csv",
    file_suffixes=(".csv",),
    key_columns=("Member ID",),
    known_columns=("Member ID", "Name", "Email", "Joined at"),
    timestamp_columns=("Joined at",),
    subject_columns=(("record", "Member ID"), ("email", "Email")),
)

SOURCE = Source(
    system="loyalty",
    specs=(MEMBERS,),
    models_dir=Path(__file__).parent / "models",
    union_models={"records": "int_loyalty__records", "identifiers": "int_loyalty__identifiers"},
    staged=StagedRecords("stg_loyalty__members", "member_id", "full_name",
                         (("email", "email_normalized"),)),
    identifier_types=("email",),
    raw_record_id="member_id",
)
'''

_MODELS = {
    "staging/loyalty/__sources.yml": """
version: 2

sources:
  - name: loyalty
    schema: raw_loyalty
    tables:
      - name: members
""",
    "staging/loyalty/stg_loyalty__members.sql": """
with

members as (
    select * from {{ source('loyalty', 'members') }}
),

renamed as (
    select
        member_id,
        name as full_name,
        {{ normalize_email('email') }} as email_normalized,
        joined_at,
        _dlt_load_id
    from members
)

select * from renamed
""",
    "intermediate/loyalty/int_loyalty__records.sql": """
select
    'loyalty' as source,
    member_id as record_id,
    joined_at as first_seen_at,
    joined_at as last_seen_at,
    cast(_dlt_load_id as double) as first_loaded_at
from {{ ref('stg_loyalty__members') }}
""",
    "intermediate/loyalty/int_loyalty__identifiers.sql": """
select
    'loyalty' as source,
    member_id as record_id,
    'email' as identifier_type,
    email_normalized as identifier_value,
    joined_at as first_seen_at,
    joined_at as last_seen_at
from {{ ref('stg_loyalty__members') }}
where email_normalized is not null
""",
}


@pytest.fixture
def loyalty_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The plugin package in a temporary folder, enabled through the environment only."""
    package = tmp_path / "plugins" / PLUGIN
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(_DECLARATION)
    for name, text in _MODELS.items():
        (package / "models" / name).parent.mkdir(parents=True, exist_ok=True)
        (package / "models" / name).write_text(text.lstrip())
    monkeypatch.syspath_prepend(str(package.parent))
    monkeypatch.setenv("CDP_SOURCES_PLUGINS", PLUGIN)
    use_settings(None)  # read the environment again
    yield package
    use_settings(None)
    sys.modules.pop(PLUGIN, None)


def test_a_plugin_source_reaches_the_customer_records_and_a_privacy_request(
    loyalty_plugin, exports_dir, tmp_path,
):
    with duckdb.connect() as connection:  # a CRM contact of the sample: the member is them too
        email, = connection.execute(
            "select Email from read_csv_auto(?) where Email is not null limit 1",
            [str(next((exports_dir / "crm").glob("*.csv")))]).fetchone()
    (exports_dir / "loyalty").mkdir()
    (exports_dir / "loyalty" / "members.csv").write_text(
        "Member ID,Name,Email,Joined at\n"
        f"L-1,Loyal Member,{email.upper()},2026-01-05T10:00:00Z\n"
        "L-2,Second Member,second.member@example.com,2026-01-06T10:00:00Z\n")
    warehouse = tmp_path / "warehouse" / "cdp.duckdb"
    destination, pipelines_dir = duckdb_destination(warehouse)

    report = ingest_exports(str(exports_dir), destination, pipelines_dir)
    dbt_build(warehouse, target_path=tmp_path / "dbt_target")

    assert [load.rows_added for load in report.systems if load.system == "loyalty"] == [2]
    with duckdb.connect(str(warehouse)) as connection:
        records = connection.execute(
            "select record_id, customer_id from marts.customer_records where source = 'loyalty' "
            "order by 1").fetchall()
        assert [record_id for record_id, _ in records] == ["L-1", "L-2"]
        crm_customers = {row[0] for row in connection.execute(
            "select customer_id from marts.customer_records where source = 'crm'").fetchall()}
        assert records[0][1] in crm_customers  # linked through the email it shares
        customers = matching_customers(connection, email="second.member@example.com")
        subject = describe_subject(connection, customers)
    assert ("loyalty", "L-2") in subject.records
    assert "Second Member" in subject.names
