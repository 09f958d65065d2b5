"""The warehouse lock as a Dagster resource: held from a run's first step to its last.

Every step that writes the warehouse requires it, so a run launched by `dagster dev`, the
daemon's schedule or sensor, takes the lock when it starts and releases it when it ends (Dagster
initializes a run's resources once, around all its steps, with the in-process executor). A
`cdp run` holds the lock itself already; its steps re-enter it.
"""

from contextlib import ExitStack
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from cdp.core.warehouse_lock import warehouse_lock
from cdp.orchestration.resources import CdpSettings
from cdp.settings import current_settings


class WarehouseLock(ConfigurableResource):
    """Holds `<warehouse>.lock` for the run; waits up to `run.lock_wait_seconds` (default an
    hour) for another run to finish, then fails naming the holder."""

    settings: CdpSettings
    _held: ExitStack = PrivateAttr(default_factory=ExitStack)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        wait = current_settings().run.lock_wait_seconds
        run_id = context.run.run_id if context.run else "outside a run"
        note = self._held.enter_context(warehouse_lock(
            Path(self.settings.warehouse), purpose=f"Dagster run {run_id}",
            wait_seconds=wait))
        if note and context.log:
            context.log.warning(note)

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        self._held.close()
