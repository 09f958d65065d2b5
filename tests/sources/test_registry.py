"""The registry: which sources a deployment loads, and what dbt is told of them."""

from pathlib import Path

import pytest

from cdp.settings import load_settings
from cdp.sources.registry import (
    BUILT_IN,
    DBT_PROJECT_DIR,
    UnknownSource,
    configured_systems,
    dbt_source_vars,
    enabled_sources,
    enabled_systems,
    registered_sources,
)
from cdp.sources.source import UNION_COLUMNS, union_models_of


def test_the_systems_the_command_checks_are_the_ones_the_pipeline_loads(monkeypatch):
    monkeypatch.delenv("CDP_SOURCES_ENABLED", raising=False)
    monkeypatch.delenv("CDP_SOURCES_PLUGINS", raising=False)
    loaded = [source.system for source in enabled_sources()]
    assert configured_systems() == loaded == list(BUILT_IN)


def test_the_settings_choose_the_sources(monkeypatch):
    monkeypatch.setenv("CDP_SOURCES_ENABLED", "pos,website")
    assert configured_systems(load_settings()) == ["website", "pos"]


def test_a_deployment_enables_some_built_in_sources_only_in_load_order():
    assert enabled_systems(["pos", "crm"]) == ["crm", "pos"]
    assert [source.system for source in registered_sources(["pos", "crm"])] == ["crm", "pos"]


def test_an_unknown_source_is_named():
    with pytest.raises(UnknownSource, match="no built-in source loyalty"):
        enabled_systems(["crm", "loyalty"])


def test_each_built_in_declares_its_export_models_and_unions():
    for source in registered_sources():
        assert source.spec.system == source.system
        assert (source.models_dir / "staging" / source.system / "__sources.yml").is_file()
        # Every source has records with identifiers and names; the other kinds as it has them.
        assert {"records", "identifiers", "record_names"} <= set(source.union_models)
        assert set(source.union_models) <= set(UNION_COLUMNS)
        for model in source.union_models.values():
            assert list(source.models_dir.rglob(f"{model}.sql")), model


def test_dbt_is_given_each_sources_models_folder_relative_to_the_project():
    variables = dbt_source_vars(registered_sources(["website", "pos"]))
    assert variables["cdp_model_paths"][0] == "models"
    for path in variables["cdp_model_paths"][1:]:
        assert not Path(path).is_absolute()  # dbt would write compiled SQL over the model
        assert (DBT_PROJECT_DIR / path).is_dir()
    assert list(variables["cdp_sources"]) == ["website", "pos"]
    assert variables["cdp_sources"]["pos"]["unions"]["records"] == "int_pos__records"


def test_a_source_names_the_kinds_it_adds_and_an_unknown_kind_is_named():
    assert union_models_of("loyalty", "records", "orders") == {
        "records": "int_loyalty__records", "orders": "int_loyalty__orders"}
    with pytest.raises(ValueError, match="no union kind app_event"):
        union_models_of("loyalty", "app_event")
