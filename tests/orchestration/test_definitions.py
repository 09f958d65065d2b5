"""The code location `dagster dev` serves: assets, checks, schedule and sensor."""

from dagster import AssetKey

from cdp.orchestration.definitions import defs


def test_the_lineage_runs_from_export_folders_to_the_published_warehouse():
    graph = defs.get_repository_def().asset_graph
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    systems = {"website": "events", "crm": "contacts", "social": "leads", "pos": "order_lines"}
    for system, table in systems.items():
        assert {f"exports/{system}", f"{system}/{table}"} <= keys
        # The dlt asset is exactly the dbt source's upstream.
        assert graph.get(AssetKey([system, table])).parent_keys == {AssetKey(["exports", system])}
    assert {"marts/customers", "marts/customer_records", "marts/identity_graph",
            "marts/identity_exclusions", "marts/customer_merges", "marts/orders",
            "marts/order_lines", "marts/events", "marts/sessions",
            "marts/customer_segments", "published/warehouse"} <= keys
    staging = graph.get(AssetKey(["staging", "stg_crm__contacts"]))
    assert AssetKey(["crm", "contacts"]) in staging.parent_keys
    # HubSpot's deletion lists (crm/deleted/) are the same load's second table.
    deletions = graph.get(AssetKey(["crm", "deleted_contacts"]))
    assert deletions.parent_keys == {AssetKey(["exports", "crm"])}
    assert AssetKey(["crm", "deleted_contacts"]) in graph.get(
        AssetKey(["staging", "stg_crm__deleted_contacts"])).parent_keys
    assert AssetKey(["intermediate", "int_records_retired"]) in graph.get(
        AssetKey(["marts", "retired_records"])).parent_keys
    published = graph.get(AssetKey(["published", "warehouse"]))
    assert AssetKey(["marts", "customers"]) in published.parent_keys
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert {"exports", "raw", "staging", "intermediate", "marts", "publishing"} <= groups


def test_dbt_tests_and_great_expectations_suites_are_asset_checks():
    checks = {(key.asset_key.to_user_string(), key.name)
              for key in defs.get_repository_def().asset_graph.asset_check_keys}
    assert ("marts/customers", "unique_customers_customer_id") in checks  # a dbt test
    assert ("marts/customers", "marts_customers_ids_unique") in checks  # a GX suite
    assert ("website/events", "raw_website_events_keys_unique") in checks
    assert ("crm/deleted_contacts", "raw_crm_deleted_contacts_keys_unique") in checks
    assert ("marts/orders", "marts_orders_revenue_reconciled") in checks


def test_a_nightly_schedule_and_a_new_files_sensor():
    schedule = defs.resolve_schedule_def("cdp_nightly_schedule")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Asia/Ho_Chi_Minh"
    assert schedule.job_name == "cdp_nightly"
    assert defs.resolve_sensor_def("new_export_files").job_name == "cdp_nightly"


def test_the_sensor_starts_a_run_only_for_content_not_loaded_yet(tmp_path):
    from dagster import DefaultSensorStatus, build_sensor_context

    from cdp.orchestration.resources import CdpSettings
    from cdp.testing.exports_builder import lay_out, write_contacts
    from tests.helpers import run_ingest

    sensor = defs.resolve_sensor_def("new_export_files")
    assert sensor.default_status == DefaultSensorStatus.STOPPED  # switched on in the UI
    exports, warehouse = tmp_path / "exports", tmp_path / "warehouse" / "cdp.duckdb"
    settings = CdpSettings(exports_dir=str(exports), warehouse=str(warehouse),
                           published_warehouse=str(tmp_path / "p.duckdb"),
                           reports_dir=str(tmp_path / "reports"))

    def tick(cursor: str | None):
        context = build_sensor_context(cursor=cursor, resources={"settings": settings})
        return sensor.evaluate_tick(context)

    assert tick(None).run_requests == []  # no exports folder yet
    lay_out(exports)
    assert tick(None).run_requests == []  # nothing delivered yet
    write_contacts(exports, "contacts.csv", [{"Record ID": "1"}])
    first = tick(None)
    assert len(first.run_requests) == 1
    assert tick(first.cursor).run_requests == []  # same files: no new run

    # Loaded by hand (cdp ingest / cdp run): a sensor starting afresh does not fire for them.
    run_ingest(exports, warehouse)
    assert tick(None).run_requests == []
    # The same content again under another name, or a file touched: still nothing new.
    (exports / "crm" / "contacts-copy.csv").write_bytes(
        (exports / "crm" / "contacts.csv").read_bytes())
    assert tick(first.cursor).run_requests == []
    write_contacts(exports, "contacts-2.csv", [{"Record ID": "2"}])
    second = tick(first.cursor)
    assert len(second.run_requests) == 1
    # A deletion list is new content too.
    (exports / "crm" / "deleted").mkdir()
    (exports / "crm" / "deleted" / "deleted.csv").write_text("Record ID\n1\n")
    assert len(tick(second.cursor).run_requests) == 1
