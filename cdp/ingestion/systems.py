"""The source systems, by the folder each exports into, in load order. A module of its own, with
no import, so that checking an exports folder (the `cdp` command's first step) costs nothing;
`ingestion.pipeline.SOURCES` is keyed by exactly these (tests/ingestion/test_systems.py)."""

SYSTEMS = ("website", "crm", "social", "pos")
