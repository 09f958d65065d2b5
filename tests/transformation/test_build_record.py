"""What the recorded build says the next build must do (cdp/transformation/night_inputs.py)."""

import duckdb
import pytest

from cdp.transformation.night_inputs import (
    full_refresh_reason,
    pending_restaging,
    record_build,
    require_restaging,
    restaged,
)

pytestmark = pytest.mark.unit

VARIABLES = {"cdp_sources": {"pos": {}}}


def test_a_warehouse_without_a_recorded_build_rebuilds_everything():
    with duckdb.connect() as connection:
        assert full_refresh_reason(connection, VARIABLES) == (
            "no build of the models is recorded in this warehouse")


def test_a_build_with_the_same_code_and_vars_is_incremental_and_other_vars_are_not():
    with duckdb.connect() as connection:
        record_build(connection, VARIABLES)
        assert full_refresh_reason(connection, VARIABLES) is None
        # Where and how one run builds is not what the models are.
        assert full_refresh_reason(connection, {**VARIABLES, "cdp_warehouse": "/x"}) is None
        assert full_refresh_reason(connection, {"cdp_sources": {}}) == (
            "the code or the modelling settings changed since the last build")


def test_restaging_is_kept_until_done_and_adds_up_across_requests():
    with duckdb.connect() as connection:
        record_build(connection, VARIABLES)
        require_restaging(connection, [], "nothing rewritten")
        assert pending_restaging(connection) is None

        require_restaging(connection, ["source:pos.order_lines+1"], "an erasure rewrote rows")
        require_restaging(connection, ["source:crm.contacts+1"], "an erasure rewrote rows")
        assert pending_restaging(connection) == (
            ["source:crm.contacts+1", "source:pos.order_lines+1"], "an erasure rewrote rows")
        # A build that cannot restage first (the night's) rebuilds everything, saying why.
        assert full_refresh_reason(connection, VARIABLES) == "an erasure rewrote rows"

        restaged(connection)
        assert pending_restaging(connection) is None
        assert full_refresh_reason(connection, VARIABLES) is None


def test_a_whole_build_clears_the_restaging_it_made_unnecessary():
    with duckdb.connect() as connection:
        record_build(connection, VARIABLES)
        require_restaging(connection, ["source:pos.order_lines+1"], "an erasure rewrote rows")
        record_build(connection, VARIABLES)
        assert pending_restaging(connection) is None
