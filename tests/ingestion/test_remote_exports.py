"""The exports directory may be an fsspec URL: files are listed and read through dlt's
filesystem source, the same code path as a bucket (here fsspec's in-memory filesystem)."""

import fsspec

from tests.helpers import query, run_ingest


def test_exports_load_from_an_fsspec_url(sample_dir, warehouse):
    memory = fsspec.filesystem("memory")
    for path in (sample_dir / "exports").rglob("*.*"):
        relative = path.relative_to(sample_dir / "exports").as_posix()
        memory.pipe(f"/bucket/exports/{relative}", path.read_bytes())

    report = run_ingest("memory://bucket/exports", warehouse)

    local = query(warehouse, "select count(*) from raw_crm.contacts")[0][0]
    assert local > 0 and not report.failed_files
    assert {system.system: system.rows_added for system in report.systems}["crm"] == local
    assert run_ingest("memory://bucket/exports", warehouse).systems[1].rows_added == 0
