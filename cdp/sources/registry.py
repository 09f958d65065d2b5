"""The source systems: the built-in ones, one line each in load order, and the choice of which a
deployment loads. Everything downstream (the loaders, dbt's unions, erasure, checks, the folder
check, the CLI) reads the enabled sources from here; a source is its folder plus its line.

A deployment enables some built-ins only (`sources.enabled`, env `CDP_SOURCES_ENABLED=crm,pos`:
no folder needed for the others) and adds plugin sources living outside the package
(`sources.plugins`, env `CDP_SOURCES_PLUGINS=my_company.loyalty`): a module path whose module
declares `SOURCE` (cdp/sources/source.py), as each built-in folder does. Plugins load after the
built-ins, in the order given. docs/how-to/add-a-source.md has an example.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cdp.settings import Settings
    from cdp.sources.source import Source

# The dbt project the sources' model folders are given to (relative to it: see dbt_source_vars).
DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"

# system -> the module declaring it, in load order.
BUILT_IN: dict[str, str] = {
    "website": "cdp.sources.website",
    "crm": "cdp.sources.crm",
    "social": "cdp.sources.social",
    "pos": "cdp.sources.pos",
    "email": "cdp.sources.email",
    "app": "cdp.sources.app",
    "chat": "cdp.sources.chat",
}


class UnknownSource(ValueError):
    """A source was enabled that is neither built in nor a plugin's."""


def configured_choice(settings: Settings | None = None) -> tuple[list[str] | None, list[str]]:
    """The deployment's choice, from the settings tree (`sources.enabled`, `sources.plugins`;
    env `CDP_SOURCES_ENABLED`, `CDP_SOURCES_PLUGINS`, comma-separated): (enabled built-ins,
    None for all; plugin module paths). The one place it is read."""
    from cdp.settings import current_settings

    sources = (settings or current_settings()).sources
    return sources.enabled, list(sources.plugins)


@cache
def _declared(module_path: str) -> Source:
    try:
        module = importlib.import_module(module_path)
    except ImportError as error:
        raise UnknownSource(
            f"source plugin {module_path}: {error} (a plugin must be importable: install it, "
            "e.g. `pip install -e <its folder>`, or put its parent folder on PYTHONPATH)"
        ) from None
    source = getattr(module, "SOURCE", None)
    if source is None:
        raise UnknownSource(f"{module_path} declares no SOURCE (cdp.sources.source.Source)")
    return source


def enabled_systems(enabled: Sequence[str] | None = None,
                    plugins: Sequence[str] = ()) -> list[str]:
    """The enabled systems' names in load order, without importing a built-in (dlt takes
    seconds): what the `cdp` command checks the exports folder with."""
    unknown = [name for name in enabled or () if name not in BUILT_IN]
    if unknown:
        raise UnknownSource(f"no built-in source {', '.join(unknown)} (built in: "
                            f"{', '.join(BUILT_IN)}; others are added as plugins)")
    built_in = [name for name in BUILT_IN if enabled is None or name in enabled]
    return built_in + [_declared(path).system for path in plugins]


def registered_sources(enabled: Sequence[str] | None = None,
                       plugins: Sequence[str] = ()) -> list[Source]:
    """The enabled sources in load order: the chosen built-ins (all when `enabled` is None),
    then each plugin module's `SOURCE`."""
    names = enabled_systems(enabled, ())
    sources = [_declared(BUILT_IN[name]) for name in names]
    sources += [_declared(path) for path in plugins]
    systems = [source.system for source in sources]
    repeated = sorted({system for system in systems if systems.count(system) > 1})
    if repeated:
        raise UnknownSource(f"source {', '.join(repeated)} registered twice")
    return sources


def enabled_sources(settings: Settings | None = None) -> list[Source]:
    """The deployment's sources (configured_choice)."""
    enabled, plugins = configured_choice(settings)
    return registered_sources(enabled, plugins)


def configured_systems(settings: Settings | None = None) -> list[str]:
    """The deployment's systems by name, importing only plugins (configured_choice)."""
    enabled, plugins = configured_choice(settings)
    return enabled_systems(enabled, plugins)


def source_of(system: str, sources: Sequence[Source] | None = None) -> Source:
    """The enabled source of that name."""
    for source in sources if sources is not None else enabled_sources():
        if source.system == system:
            return source
    raise UnknownSource(f"source {system} is not enabled")


def dbt_source_vars(sources: Sequence[Source] | None = None,
                    project_dir: Path = DBT_PROJECT_DIR) -> dict:
    """What dbt must know of the registry, passed with `--vars` on every dbt invocation: the
    model paths (the project's, then each source's `models/`) and, per system, the models it
    adds to each union (`union_source_models`) with the columns the union selects.

    Each source's folder is given relative to the project: dbt writes a node's compiled SQL to
    `<target>/compiled/<project>/<its path>`, which for an absolute path is the model file
    itself (and a YAML file's tests fail to be written)."""
    from cdp.sources.source import UNION_COLUMNS

    sources = enabled_sources() if sources is None else sources
    return {
        "cdp_model_paths": ["models", *(os.path.relpath(source.models_dir.resolve(), project_dir)
                                        for source in sources)],
        "cdp_sources": {
            source.system: {"unions": dict(source.union_models)} for source in sources
        },
        "cdp_union_columns": {kind: [list(column) for column in columns]
                              for kind, columns in UNION_COLUMNS.items()},
        "cdp_identifier_types": sorted({identifier_type for source in sources
                                        for identifier_type in source.identifier_types}),
    }

