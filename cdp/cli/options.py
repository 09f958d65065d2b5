"""The options several commands share, declared once. Each names the environment variable it
also reads (shown in `--help`); either one becomes a command-line override of the settings
tree (`cdp.settings`), which has the rest: cdp.toml, secrets, defaults."""

from pathlib import Path

import click


def _option(*names: str, env: str | None = None, **attributes):
    return click.option(*names, envvar=env, show_envvar=bool(env), **attributes)


exports_dir = _option(
    "--exports-dir", env="CDP_EXPORTS_DIR", default=None,
    help="Folder or fsspec URL (s3://…) with one subfolder per source system "
         "[default: paths.exports_dir in cdp.toml, else sample_data/exports].")
warehouse = _option(
    "--warehouse", env="CDP_WAREHOUSE", type=click.Path(path_type=Path), default=None,
    help="The working DuckDB file [default: paths.warehouse, else warehouse/cdp.duckdb].")
published = _option(
    "--published", env="CDP_PUBLISHED_WAREHOUSE", type=click.Path(path_type=Path), default=None,
    help="The DuckDB file BI tools read [default: <warehouse dir>/published/<warehouse name>].")

since = _option(
    "--since", env="CDP_PULL_SINCE", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
    help="How far back a first API pull (Klaviyo, HubSpot) reaches [default: "
         "sources.klaviyo_first_pull_days, 90 days; HubSpot: every contact].")


def apply(*decorators):
    """Several options as one decorator, in the order given."""
    def decorate(command):
        for decorator in reversed(decorators):
            command = decorator(command)
        return command
    return decorate


def settings_for(exports_dir: str | None = None, warehouse: Path | None = None,
                 published: Path | None = None, **overrides):
    """The settings tree with this command's options on top, made the process's own (so code
    below that reads `current_settings()` sees the same). Raises CdpError (usage) on a bad
    setting. Imports pydantic: call it inside a command, not at import."""
    from cdp.errors import CdpError, ExitCode
    from cdp.settings import SettingsError, load_settings, use_settings

    if exports_dir and "://" not in exports_dir:
        exports_dir = str(Path(exports_dir).resolve())
    try:
        settings = load_settings({
            "paths.exports_dir": exports_dir,
            "paths.warehouse": warehouse.resolve() if warehouse else None,
            "paths.published_warehouse": published.resolve() if published else None,
            **overrides,
        })
    except SettingsError as error:
        raise CdpError(f"error: {error}", ExitCode.USAGE) from None
    from cdp.sources.registry import UnknownSource, configured_systems

    try:
        configured_systems(settings)  # an unknown system or a plugin that does not import
    except UnknownSource as error:
        raise CdpError(f"error: sources: {error}", ExitCode.USAGE) from None
    use_settings(settings)
    return settings
