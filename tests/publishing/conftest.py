"""A real PostgreSQL server for the serving database's tests, started once per test worker."""

import pytest

from cdp.testing.postgres_server import PostgresServer, why_no_server


@pytest.fixture(scope="session")
def postgres_server():
    reason = why_no_server()
    if reason:
        pytest.skip(reason)
    server = PostgresServer().start()
    yield server
    server.stop()
