"""The settings tree: one precedence for every setting, errors that name the setting, secrets
masked, the reference page current, and every modelling switch reaching dbt."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cdp.settings import (
    SettingsError,
    effective_rows,
    load_settings,
    reference_markdown,
)

REPO = Path(__file__).resolve().parents[1]
CDP = Path(sys.executable).with_name("cdp")


def _in(folder: Path, monkeypatch: pytest.MonkeyPatch, toml: str = "",
        secrets: str = "") -> None:
    monkeypatch.chdir(folder)
    if toml:
        (folder / "cdp.toml").write_text(toml, encoding="utf-8")
    if secrets:
        (folder / ".dlt").mkdir(exist_ok=True)
        (folder / ".dlt" / "secrets.toml").write_text(secrets, encoding="utf-8")


@pytest.mark.unit
def test_an_option_beats_the_environment_which_beats_the_file_which_beats_the_default(
        tmp_path, monkeypatch):
    _in(tmp_path, monkeypatch, toml="[publishing]\nversions_kept = 7\nmax_shrink_share = 0.3\n"
                                    "[quality]\nmin_bad_values = 5\n")
    environ = {"CDP_PUBLISHED_VERSIONS_KEPT": "9", "CDP_MIN_BAD_VALUES": "6"}
    settings = load_settings({"quality.min_bad_values": 8}, environ=environ)
    assert settings.publishing.versions_kept == 9  # environment over file
    assert settings.publishing.max_shrink_share == 0.3  # file over default
    assert settings.quality.min_bad_values == 8  # option over environment
    assert settings.quality.max_segment_share == 0.95  # default
    assert settings.origins["publishing.versions_kept"] == "CDP_PUBLISHED_VERSIONS_KEPT"
    assert settings.origins["publishing.max_shrink_share"] == "cdp.toml"
    assert settings.origins["quality.min_bad_values"] == "command-line option"
    assert settings.origins["quality.max_segment_share"] == "default"


@pytest.mark.unit
def test_secrets_come_from_the_environment_else_dlt_secrets_and_are_never_shown(
        tmp_path, monkeypatch):
    _in(tmp_path, monkeypatch, secrets='[privacy]\nsalt = "from-the-secrets-file"\n'
                                       '[serving]\nurl = "postgresql://u:pw@db/cdp"\n')
    settings = load_settings(environ={})
    assert settings.privacy.salt.get_secret_value() == "from-the-secrets-file"
    assert settings.origins["privacy.salt"] == str(Path(".dlt") / "secrets.toml")
    assert load_settings(environ={"CDP_PRIVACY_SALT": "env"}).privacy.salt \
        .get_secret_value() == "env"
    shown = repr(effective_rows(settings)) + repr(settings)
    assert "from-the-secrets-file" not in shown and "pw@db" not in shown


@pytest.mark.unit
def test_paths_are_absolute_and_derived_ones_follow_the_warehouse(tmp_path, monkeypatch):
    _in(tmp_path, monkeypatch, toml='[paths]\nwarehouse = "w/cdp.duckdb"\n')
    paths = load_settings(environ={}).paths
    assert paths.warehouse == tmp_path / "w" / "cdp.duckdb"
    assert paths.published == tmp_path / "w" / "published" / "cdp.duckdb"
    assert paths.reports == tmp_path / "w" / "reports"
    assert paths.exports_dir == str(tmp_path / "sample_data" / "exports")


@pytest.mark.unit
@pytest.mark.parametrize("toml, named", [
    ("[publishing]\nversions_kep = 3\n", "versions_kep"),
    ("[publising]\nversions_kept = 3\n", "publising"),
    ("[models]\nprobabilistic_matchin = false\n", "probabilistic_matchin"),
    ("[publishing]\nmax_shrink_share = 2\n", "publishing.max_shrink_share"),
    ("[publishing\n", "cdp.toml"),
    ('[models]\nprobabilistic_matching = "no"\n', "models.probabilistic_matching"),
    ("[models]\nlifecycle_new_days = [30]\n", "models.lifecycle_new_days"),
    ('[models]\nidentity_engine = "spark"\n', "models.identity_engine"),
])
def test_a_wrong_setting_is_an_error_naming_it(tmp_path, monkeypatch, toml, named):
    _in(tmp_path, monkeypatch, toml=toml)
    with pytest.raises(SettingsError, match=named.replace(".", r"\.")):
        load_settings(environ={})


@pytest.mark.unit
def test_modelling_settings_default_to_dbt_project_vars_and_cdp_toml_overrides_them(
        tmp_path, monkeypatch):
    _in(tmp_path, monkeypatch, toml="[models]\nprobabilistic_matching = false\n"
                                    "lifecycle_new_days = 14\n")
    models = load_settings(environ={}).models
    assert models["probabilistic_matching"] is False
    assert models["lifecycle_new_days"] == 14
    assert models["session_timeout_minutes"] == 30  # dbt_project.yml's default


@pytest.mark.unit
def test_the_configuration_reference_is_current():
    page = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert page == reference_markdown(), \
        "regenerate: cdp config reference --out docs/configuration.md"


@pytest.mark.unit
def test_no_module_reads_or_writes_the_environment_for_a_setting():
    """Settings are read in cdp/settings.py only; the rest takes them from the tree."""
    readers = []
    for path in sorted((REPO / "cdp").rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        if relative in ("cdp/settings.py",) or relative.startswith("cdp/testing/"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "os.environ" in line or "os.getenv" in line:
                readers.append(f"{relative}:{number}: {line.strip()}")
    assert readers == []


def _models_dbt_selects(tmp_path: Path, toml: str) -> set[str]:
    config = tmp_path / f"cdp-{abs(hash(toml))}.toml"
    config.write_text(toml, encoding="utf-8")
    environment = {**os.environ, "CDP_CONFIG": str(config),
                   "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    listed = subprocess.run(
        [str(CDP), "dbt", "ls", "--resource-type", "model", "--output", "path", "--quiet",
         "--target-path", str(tmp_path / "target")],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=300)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    return {line.strip() for line in listed.stdout.splitlines() if line.startswith("models/")}


def test_each_documented_modelling_switch_changes_what_dbt_selects(tmp_path):
    default = _models_dbt_selects(tmp_path, "")
    no_splink = _models_dbt_selects(tmp_path, "[models]\nprobabilistic_matching = false\n")
    sql_engine = _models_dbt_selects(tmp_path, '[models]\nidentity_engine = "sql"\n')
    python_splink = "models/intermediate/identity/probabilistic/python/" \
                    "int_identity_matches_probabilistic.py"
    assert python_splink in default
    assert python_splink not in no_splink
    assert "models/intermediate/identity/probabilistic/sql/" \
           "int_identity_matches_probabilistic.sql" in no_splink
    assert not any("/python/" in path for path in sql_engine)
    assert "models/intermediate/identity/components/sql/int_identity_components.sql" \
        in sql_engine


@pytest.mark.unit
def test_the_duckdb_memory_limit_reaches_dbt_and_leaves_the_models_fingerprint_alone(tmp_path):
    empty = tmp_path / "cdp.toml"
    empty.write_text("", encoding="utf-8")
    from cdp.transformation.dbt_vars import dbt_vars, duckdb_default_memory_limit
    from cdp.transformation.night_inputs import modelling_fingerprint

    limited = load_settings(environ={"CDP_DUCKDB_MEMORY_LIMIT": "3GB"},
                            config_file=empty)
    default = load_settings(environ={}, config_file=empty)
    assert dbt_vars(limited)["cdp_duckdb_memory_limit"] == "3GB"
    assert dbt_vars(default)["cdp_duckdb_memory_limit"] == duckdb_default_memory_limit()
    # Where and how a build runs is no reason to rebuild every model from all of history.
    assert modelling_fingerprint(dbt_vars(limited)) == modelling_fingerprint(dbt_vars(default))
    with pytest.raises(SettingsError):
        load_settings(environ={"CDP_DUCKDB_MEMORY_LIMIT": "80%"},
                      config_file=empty)
