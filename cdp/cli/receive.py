"""`cdp receive`: Zalo OA's and Messenger's webhook events into the exports folder as they happen
(docs/receiver.md). A long-lived process of its own; it imports only the receiver and the
settings tree, so it answers in a fraction of a second."""

from pathlib import Path

import click

from cdp.cli import options


@click.command()
@options.exports_dir
@click.option("--host", envvar="CDP_RECEIVER_HOST", show_envvar=True, default=None,
              help="The address to listen on [default: receiver.host, else 127.0.0.1].")
@click.option("--port", envvar="CDP_RECEIVER_PORT", show_envvar=True, default=None,
              type=click.IntRange(0, 65535),
              help="The port to listen on; 0: any free one [default: receiver.port, else 8787].")
def receive(exports_dir: str | None, host: str | None, port: int | None) -> None:
    """Receive Zalo OA and Messenger webhook events into <exports>/chat/ until stopped."""
    from cdp.errors import CdpError, ExitCode
    from cdp.settings import SettingsError, load_settings, use_settings
    from cdp.sources.chat.receiver.server import serve

    # Not options.settings_for: it checks the source plugins, which may import dlt, and the
    # receiver needs none of them.
    try:
        settings = load_settings({"paths.exports_dir": exports_dir, "receiver.host": host,
                                  "receiver.port": port})
    except SettingsError as error:
        raise CdpError(f"error: {error}", ExitCode.USAGE) from None
    use_settings(settings)
    exports = settings.paths.exports_dir
    if "://" in exports and not exports.startswith("file://"):
        raise CdpError(f"error: the receiver writes to a folder on this machine, not {exports}: "
                       "give --exports-dir (CDP_EXPORTS_DIR) a local folder", ExitCode.USAGE)
    serve(settings.receiver, Path(exports.removeprefix("file://")),
          announce=click.echo)
