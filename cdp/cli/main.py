"""The `cdp` command: the user's entry point to the platform. Exit codes: `cdp.errors`.

Nothing heavy is imported at the top: `cdp --help` and every error path answer in well under a
second; Dagster, dbt and GX are imported by the commands that use them."""

import os
import sys
import time
from importlib.metadata import version as package_version
from pathlib import Path

import click

from cdp.cli.config import config
from cdp.cli.explain import explain
from cdp.cli.nights import dbt, demo, ingest, run, transform
from cdp.cli.privacy import privacy
from cdp.cli.receive import receive
from cdp.cli.sample import sample
from cdp.errors import CdpError, ExitCode

DEFAULT_WAREHOUSE = Path("warehouse/cdp.duckdb")


def entry() -> None:
    """The `cdp` executable: the commands, and one line for whatever error escapes them (the
    traceback goes to a file, never the terminal)."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _fail("interrupted: nothing was published; the next run takes over",
              ExitCode.INTERRUPTED)
    except Exception as error:
        from cdp.core.failures import one_line

        warehouse = _warehouse_in_use()
        _fail(f"{one_line(error, warehouse)} (traceback: {_write_traceback(warehouse)})",
              ExitCode.FAILED)


def _warehouse_in_use() -> Path:
    """The warehouse of the settings this command read, for the crash log's folder."""
    from cdp.settings import current_settings

    try:
        return current_settings().paths.warehouse
    except Exception:  # the settings themselves may be what failed
        return DEFAULT_WAREHOUSE.resolve()


def _write_traceback(warehouse: Path) -> str:
    import tempfile
    import traceback

    for folder in (warehouse.parent / "logs", Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"crash-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.log"
            path.write_text(traceback.format_exc(), encoding="utf-8")
            return str(path)
        except OSError:
            continue
    return "not written: no writable folder"


def _fail(message: str, code: int) -> None:
    """One line naming the cause on stderr, and the exit code: how every CdpError ends."""
    click.echo(message, err=True)
    sys.exit(int(code))


class _Stopped(click.ClickException):
    """A CdpError as click ends a command: its one line on stderr, its exit code."""

    def __init__(self, error: CdpError) -> None:
        super().__init__(str(error))
        self.exit_code = int(error.exit_code)

    def show(self, file=None) -> None:
        click.echo(self.message, err=True)


class _Commands(click.Group):
    """The `cdp` group: a CdpError raised by any command ends it with its line and code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CdpError as error:
            raise _Stopped(error) from None


@click.group(cls=_Commands)
@click.version_option(package_version("cdp"), prog_name="cdp")
def main() -> None:
    """Warehouse-native customer data platform: load exports, resolve identities, publish."""


for command in (sample, demo, run, ingest, transform, dbt, explain, privacy, config,
                receive):
    main.add_command(command)
