"""The light list of source systems the `cdp` command checks folders with is the pipeline's."""

from cdp.ingestion.pipeline import SOURCES
from cdp.ingestion.systems import SYSTEMS


def test_the_systems_the_command_checks_are_the_ones_the_pipeline_loads():
    assert list(SYSTEMS) == list(SOURCES)
