"""dlt's working folder for a DuckDB warehouse: beside it, one per warehouse (its state and load
packages are per warehouse). Named here, with no import, for the commands that only need where
it is (the data map, erasure)."""

from pathlib import Path


def dlt_working_folder(warehouse: Path) -> Path:
    warehouse = warehouse.resolve()
    return warehouse.parent / f".{warehouse.stem}.dlt"
