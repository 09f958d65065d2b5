"""The deployment's settings: one tree, read once per process, passed down.

Each setting has one place it is read from, highest first:

1. a command-line option (`cdp run --warehouse …`), for that command only;
2. the environment: the setting's `CDP_*` variable (`cdp config show` names each one);
3. `cdp.toml` in the working folder, or the file `CDP_CONFIG` names, by section and key
   (`[publishing] versions_kept = 5`; modelling settings under `[models]`);
4. for secrets only, `.dlt/secrets.toml` (and for the webhook's URL `.dlt/config.toml`), by the
   key dlt's own files use (`[privacy] salt`);
5. the default: for `[models]`, the commented `vars:` block of `dbt_project/dbt_project.yml`.

Nothing else in the package reads `os.environ` for a setting: modules take the tree (or one of
its sections) as an argument, or call `current_settings()` where no caller carries it. dbt gets
what it needs explicitly, through `--vars` (`cdp.transformation.dbt_vars`), so a documented
modelling switch works whether dbt reads it in a model or inside `dbt_project.yml`.
`docs/configuration.md` is generated from this module (`cdp config reference`).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_FILE = REPO_ROOT / "dbt_project" / "dbt_project.yml"
CONFIG_FILE_VARIABLE = "CDP_CONFIG"
CONFIG_FILE = Path("cdp.toml")
SECRETS_FILE = Path(".dlt") / "secrets.toml"
DLT_CONFIG_FILE = Path(".dlt") / "config.toml"


class SettingsError(ValueError):
    """A setting has a value it cannot take; the message names the setting and where it came
    from."""


def setting(default: Any, env: str | None, description: str, *, secret_key: str | None = None,
            config_key: str | None = None, **constraints: Any) -> Any:
    """A field of the tree: its default, its environment variable and, for secrets, its key in
    `.dlt/secrets.toml` (`config_key`: in `.dlt/config.toml`)."""
    extra = {"env": env, "secret_key": secret_key, "config_key": config_key}
    return Field(default, description=description, json_schema_extra=extra, **constraints)


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PathSettings(_Section):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    exports_dir: str = setting(
        "sample_data/exports", "CDP_EXPORTS_DIR",
        "The folder (or fsspec URL: s3://, gs://, az://, sftp://) holding one subfolder per "
        "source system.")
    warehouse: Path = setting(
        Path("warehouse") / "cdp.duckdb", "CDP_WAREHOUSE",
        "The working DuckDB file every run builds in.")
    published_warehouse: Path | None = setting(
        None, "CDP_PUBLISHED_WAREHOUSE",
        "The DuckDB file BI tools open read-only. Default: published/<warehouse name> beside "
        "the warehouse.")
    reports_dir: Path | None = setting(
        None, "CDP_REPORTS_DIR", "Quality reports. Default: reports/ beside the warehouse.")
    dagster_home: Path | None = setting(
        None, "DAGSTER_HOME",
        "Dagster's run storage (Dagster's own variable). Default: dagster_home/ beside the "
        "warehouse.")

    @field_validator("exports_dir")
    @classmethod
    def _absolute_folder(cls, value: str) -> str:
        """A local folder is made absolute against the folder the settings were read in."""
        return value if "://" in value else str(Path(value).expanduser().resolve())

    @field_validator("warehouse", "published_warehouse", "reports_dir", "dagster_home")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        return Path(value).expanduser().resolve() if value is not None else None

    @property
    def published(self) -> Path:
        return self.published_warehouse or default_published(self.warehouse)

    @property
    def reports(self) -> Path:
        return self.reports_dir or self.warehouse.parent / "reports"

    @property
    def dagster(self) -> Path:
        return self.dagster_home or default_dagster_home(self.warehouse)


class PublishingSettings(_Section):
    versions_kept: int = setting(
        5, "CDP_PUBLISHED_VERSIONS_KEPT",
        "Published versions kept, the current one included (at least 2; a version a reader's "
        "open link still points at is kept too).", ge=1)
    max_shrink_share: float = setting(
        0.1, "CDP_MAX_SHRINK_SHARE",
        "customers and orders may shrink by at most this share against the published version; "
        "more stops publishing unless the run allows it (`cdp run --allow-shrink`).", ge=0, le=1)
    serving_url: SecretStr | None = setting(
        None, "CDP_SERVING_URL",
        "A PostgreSQL URL: the published marts are also served there (roles as schemas).",
        secret_key="serving.url")
    serving_lock_timeout: float = setting(
        60, "CDP_SERVING_LOCK_TIMEOUT",
        "Seconds the serving database's switch waits for readers' locks.", gt=0)


class QualitySettings(_Section):
    customer_size_quantile: float = setting(
        0.999, "CDP_CUSTOMER_SIZE_QUANTILE",
        "A customer with more records than max(floor, this quantile of sizes x factor) stops "
        "publishing: most likely an over-merge.", gt=0, le=1)
    customer_size_factor: float = setting(10, "CDP_CUSTOMER_SIZE_FACTOR",
                                          "See customer_size_quantile.", gt=0)
    customer_size_floor: float = setting(50, "CDP_CUSTOMER_SIZE_FLOOR",
                                         "See customer_size_quantile.", ge=0)
    max_multi_person_record_share: float = setting(
        0.05, "CDP_MAX_MULTI_PERSON_RECORD_SHARE",
        "At most this share of all records may sit in customers whose records carry two or more "
        "people's names.", ge=0, le=1)
    min_volume_ratio: float = setting(
        0.01, "CDP_MIN_VOLUME_RATIO",
        "A load bringing fewer rows than this share of the previous load is flagged.", ge=0)
    max_segment_share: float = setting(
        0.95, "CDP_MAX_SEGMENT_SHARE",
        "No single RFM or lifecycle segment may hold more than this share of its customers.",
        ge=0, le=1)
    max_bad_value_share: float = setting(
        0.2, "CDP_MAX_BAD_VALUE_SHARE",
        "A column where more than this share of one night's values are bad stops publishing...",
        ge=0, le=1)
    min_bad_values: int = setting(
        20, "CDP_MIN_BAD_VALUES", "... once at least this many of its values are bad.", ge=0)
    reports_keep_runs: int = setting(
        10, "CDP_REPORTS_KEEP_RUNS", "Runs whose quality reports are kept; older ones are deleted.",
        ge=1)


class PrivacySettings(_Section):
    policy: Path = setting(
        REPO_ROOT / "cdp" / "privacy" / "policy.yml", "CDP_PRIVACY_POLICY",
        "The privacy policy: retention windows, roles, personal-data categories.")
    salt: SecretStr | None = setting(
        None, "CDP_PRIVACY_SALT",
        "Salts the suppression list of erased people; the first request writes one to "
        ".dlt/secrets.toml when none is set. Keep it and back it up.",
        secret_key="privacy.salt")


class ScheduleSettings(_Section):
    cron: str = setting("0 2 * * *", "CDP_SCHEDULE_CRON", "When the nightly job runs.")
    timezone: str = setting("Asia/Ho_Chi_Minh", "CDP_SCHEDULE_TIMEZONE",
                            "The time zone of `cron` (an IANA name).")
    full_refresh_cron: str | None = setting(
        None, "CDP_SCHEDULE_FULL_REFRESH_CRON",
        "When a run rebuilds every model from all of history (e.g. `0 3 * * 0`: Sundays at "
        "03:00), besides the incremental nights; unset, only `cdp run --full-refresh` does.")


class RunSettings(_Section):
    lock_wait_seconds: float = setting(
        3600, "CDP_LOCK_WAIT_SECONDS",
        "How long a Dagster run waits for another run's warehouse lock before failing.", ge=0)
    load_progress: bool = setting(
        False, "CDP_PROGRESS", "Log dlt's progress of each load (for debugging a slow load).")
    ingest_destination: str | None = setting(
        None, "CDP_DESTINATION",
        "`cdp ingest` only: a dlt destination other than the DuckDB warehouse.")
    duckdb_memory_limit: str | None = setting(
        None, "CDP_DUCKDB_MEMORY_LIMIT",
        "The most memory each DuckDB database the product opens to build or publish may use "
        "(e.g. `6GB`): the dbt build's, probabilistic matching's, publishing's; beyond it "
        "DuckDB spills to disk beside the warehouse. Default: DuckDB's own, 80 % of the "
        "machine's memory.", pattern=r"^[0-9]+(\.[0-9]+)? ?([KMGT]i?B)$")


class SourceSettings(_Section):
    enabled: list[str] | None = setting(
        None, "CDP_SOURCES_ENABLED",
        "The built-in source systems this deployment loads (comma-separated); all when unset.")
    plugins: list[str] = setting(
        [], "CDP_SOURCES_PLUGINS",
        "Import paths of source packages outside cdp (comma-separated), each declaring one "
        "system (docs/how-to/add-a-source.md).")
    klaviyo_api_key: SecretStr | None = setting(
        None, "CDP_KLAVIYO_API_KEY",
        "A Klaviyo private API key (read scopes profiles:read, events:read, metrics:read): "
        "with one, every night pulls Klaviyo's profiles and events into the email source "
        "(docs/email.md).",
        secret_key="sources.email.klaviyo_api_key")
    klaviyo_base_url: str = setting(
        "https://a.klaviyo.com/api/", "CDP_KLAVIYO_BASE_URL",
        "Klaviyo's API root (a test server's in tests).")
    klaviyo_first_pull_days: int = setting(
        90, "CDP_KLAVIYO_FIRST_PULL_DAYS",
        "How far back the first Klaviyo pull reaches; later pulls fetch only what changed "
        "since the last one.", ge=1)

    hubspot_access_token: SecretStr | None = setting(
        None, "CDP_HUBSPOT_ACCESS_TOKEN",
        "A HubSpot private app's token (scope crm.objects.contacts.read): with one, every night "
        "pulls the contacts changed since the last pull from HubSpot's CRM API into the CRM "
        "source, beside or instead of its exports (docs/exports.md).",
        secret_key="sources.crm.hubspot_access_token")
    hubspot_base_url: str = setting(
        "https://api.hubapi.com/", "CDP_HUBSPOT_BASE_URL",
        "HubSpot's API root (a test server's in tests).")
    hubspot_first_pull_days: int | None = setting(
        None, "CDP_HUBSPOT_FIRST_PULL_DAYS",
        "How far back the first HubSpot pull reaches; unset: every contact.", ge=1)

    pull_since: date | None = setting(
        None, "CDP_PULL_SINCE",
        "How far back a first API pull (Klaviyo, HubSpot) reaches, as a date (YYYY-MM-DD): over "
        "klaviyo_first_pull_days and hubspot_first_pull_days; later pulls start from their "
        "cursor whatever it says (`cdp run --since`).")

    def pull_start(self, first_pull_days: int | None) -> datetime | None:
        """Where a first pull starts: `pull_since`, else that many days back (None: all)."""
        if self.pull_since:
            return datetime.combine(self.pull_since, time(0), UTC)
        if first_pull_days is None:
            return None
        return datetime.now(UTC) - timedelta(days=first_pull_days)

    def api_pulls(self) -> list[str]:
        """The API pulls this deployment has credentials for: a night with one always has
        something to look at, new files or not."""
        return [name for name, key in (("klaviyo", self.klaviyo_api_key),
                                       ("hubspot", self.hubspot_access_token)) if key]


class DestinationSettings(_Section):
    webhook_url: str | None = setting(
        None, "CDP_WEBHOOK_URL", "Where the webhook destination POSTs audience changes.",
        config_key="destinations.webhook.url")
    webhook_secret: SecretStr | None = setting(
        None, "CDP_WEBHOOK_SECRET", "Signs each webhook body (HMAC-SHA256).",
        secret_key="destinations.webhook.signing_secret")
    webhook_batch_size: int = setting(500, "CDP_WEBHOOK_BATCH_SIZE",
                                      "Audience changes per webhook POST.", ge=1)
    hubspot_batch_size: int = setting(
        100, "CDP_HUBSPOT_BATCH_SIZE",
        "Contacts per HubSpot batch call (HubSpot takes at most 100: more counts as 100).",
        ge=1)
    zalo_zns_access_token: SecretStr | None = setting(
        None, "CDP_ZALO_ZNS_ACCESS_TOKEN",
        "The Zalo Official Account's access token the zalo_zns destination sends ZNS template "
        "messages with (Zalo's header `access_token`); short-lived: renew it before each "
        "delivery.", secret_key="destinations.zalo_zns.access_token")
    zalo_zns_base_url: str = setting(
        "https://business.openapi.zalo.me", "CDP_ZALO_ZNS_BASE_URL",
        "Zalo's ZNS API root (a test server's in tests).",
        config_key="destinations.zalo_zns.base_url")
    zalo_zns_rate_per_second: float = setting(
        5, "CDP_ZALO_ZNS_RATE_PER_SECOND",
        "At most this many ZNS requests a second, retries included.", gt=0)


class ReceiverSettings(_Section):
    """`cdp receive`, the webhook receiver for Zalo OA and Messenger (docs/receiver.md)."""

    zalo_oa_secret_key: SecretStr | None = setting(
        None, "CDP_ZALO_OA_SECRET_KEY",
        "The Zalo Official Account's secret key (the OA's, not the app's; developers.zalo.me "
        "→ your app → Official Account): with one, `POST /webhooks/zalo` takes the OA's "
        "signed events.", secret_key="sources.chat.zalo_oa_secret_key")
    messenger_app_secret: SecretStr | None = setting(
        None, "CDP_MESSENGER_APP_SECRET",
        "The Meta app's App Secret (App settings → Basic): with one, `POST /webhooks/messenger` "
        "takes the Page's signed events. Needs messenger_verify_token.",
        secret_key="sources.chat.messenger_app_secret")
    messenger_verify_token: SecretStr | None = setting(
        None, "CDP_MESSENGER_VERIFY_TOKEN",
        "A phrase you choose and type into the Meta app's webhook setup, which Meta sends back "
        "once to check the callback URL (`GET /webhooks/messenger`).",
        secret_key="sources.chat.messenger_verify_token")
    host: str = setting(
        "127.0.0.1", "CDP_RECEIVER_HOST",
        "The address the receiver listens on: this machine only by default, behind an HTTPS "
        "reverse proxy; 0.0.0.0 for every interface.")
    port: int = setting(8787, "CDP_RECEIVER_PORT",
                        "The receiver's port (0: any free port, printed at start).",
                        ge=0, le=65535)
    rotate_megabytes: float = setting(
        32, "CDP_RECEIVER_ROTATE_MEGABYTES",
        "A file being received is completed (and the loader may read it) once it holds this "
        "many megabytes...", gt=0)
    rotate_seconds: float = setting(
        300, "CDP_RECEIVER_ROTATE_SECONDS",
        "... or once its first event is this many seconds old, whichever comes first.", gt=0)
    queue_size: int = setting(
        256, "CDP_RECEIVER_QUEUE_SIZE",
        "Requests of one channel waiting to be written at most; more are answered 503, which "
        "Zalo and Meta retry (bounds the receiver's memory).", ge=1)


class Settings(_Section):
    """The whole tree. `models` holds the modelling settings dbt reads (`dbt_project.yml`'s
    `vars:` block, commented there, overridden by `[models]` in cdp.toml)."""

    paths: PathSettings = PathSettings()
    publishing: PublishingSettings = PublishingSettings()
    quality: QualitySettings = QualitySettings()
    privacy: PrivacySettings = PrivacySettings()
    schedule: ScheduleSettings = ScheduleSettings()
    run: RunSettings = RunSettings()
    sources: SourceSettings = SourceSettings()
    destinations: DestinationSettings = DestinationSettings()
    receiver: ReceiverSettings = ReceiverSettings()
    models: dict[str, Any] = Field(default_factory=dict)
    # "<section>.<name>" -> where its value came from ("default", "cdp.toml", "CDP_X", …)
    origins: dict[str, str] = Field(default_factory=dict, exclude=True, repr=False)


SECTIONS: dict[str, type[_Section]] = {
    name: field.annotation for name, field in Settings.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, _Section)
}


def model_defaults() -> dict[str, Any]:
    """The modelling settings' defaults: the `vars: cdp:` block of dbt_project.yml."""
    document = yaml.safe_load(DBT_PROJECT_FILE.read_text(encoding="utf-8")) or {}
    return dict((document.get("vars") or {}).get("cdp") or {})


def _toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SettingsError(f"{path}: {error}") from None


def _dotted(document: Mapping[str, Any], key: str) -> Any:
    value: Any = document
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _from_environment(raw: str, annotation: Any) -> Any:
    """An environment variable's text as the field wants it: lists are comma-separated."""
    if "list" in str(annotation):
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw


def load_settings(overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None,
                  config_file: Path | None = None) -> Settings:
    """Read the tree: `overrides` ("section.name" -> value, e.g. from command-line options),
    the environment, cdp.toml, the secrets files, the defaults — in that order."""
    environ = os.environ if environ is None else environ
    overrides = {key: value for key, value in (overrides or {}).items() if value is not None}
    explicit_file = config_file or environ.get(CONFIG_FILE_VARIABLE)
    config_path = Path(explicit_file) if explicit_file else CONFIG_FILE
    if explicit_file and not config_path.is_file():
        raise SettingsError(f"{CONFIG_FILE_VARIABLE}: no settings file at {config_path}")
    document = _toml(config_path)
    unknown = set(document) - set(SECTIONS) - {"models"}
    if unknown:
        raise SettingsError(f"{config_path}: unknown section(s) {sorted(unknown)}; "
                            f"known: {sorted([*SECTIONS, 'models'])}")
    secrets, dlt_config = _toml(SECRETS_FILE), _toml(DLT_CONFIG_FILE)
    values: dict[str, dict[str, Any]] = {}
    origins: dict[str, str] = {}
    for section, model in SECTIONS.items():
        in_file = document.get(section) or {}
        unknown = set(in_file) - set(model.model_fields)
        if unknown:
            raise SettingsError(f"{config_path} [{section}]: unknown setting(s) {sorted(unknown)}")
        for name, field in model.model_fields.items():
            key, extra = f"{section}.{name}", field.json_schema_extra or {}
            env = extra.get("env")
            if key in overrides:
                value, origin = overrides[key], "command-line option"
            elif env and environ.get(env):
                value, origin = _from_environment(environ[env], field.annotation), env
            elif name in in_file:
                value, origin = in_file[name], str(config_path)
            elif extra.get("secret_key") and _dotted(secrets, extra["secret_key"]):
                value, origin = _dotted(secrets, extra["secret_key"]), str(SECRETS_FILE)
            elif extra.get("config_key") and (
                    _dotted(dlt_config, extra["config_key"]) or _dotted(
                        secrets, extra["config_key"])):
                value = _dotted(dlt_config, extra["config_key"]) or _dotted(
                    secrets, extra["config_key"])
                origin = str(DLT_CONFIG_FILE)
            else:
                origins[key] = "default"
                continue
            values.setdefault(section, {})[name] = value
            origins[key] = origin
    models = model_defaults()
    origins.update({f"models.{name}": "dbt_project.yml" for name in models})
    model_overrides = dict(document.get("models") or {})
    unknown = set(model_overrides) - set(models) - {"identity_engine"}
    if unknown:
        raise SettingsError(f"{config_path} [models]: unknown setting(s) {sorted(unknown)}; "
                            "the modelling settings are the `vars:` of dbt_project.yml")
    for name, value in model_overrides.items():
        _check_model_setting(name, value, models.get(name), str(config_path))
        models[name], origins[f"models.{name}"] = value, str(config_path)
    for name, value in overrides.items():
        if name.startswith("models."):
            models[name.removeprefix("models.")], origins[name] = value, "command-line option"
    sections = {}
    for section, fields in values.items():
        try:
            sections[section] = SECTIONS[section](**fields)
        except ValidationError as error:
            problem = error.errors()[0]
            location = ".".join([section, *(str(part) for part in problem["loc"])])
            raise SettingsError(
                f"setting {location} (from {origins.get(location, 'default')}): "
                f"{problem['msg']}") from None
    return Settings(**sections, models=models, origins=origins)


_current: Settings | None = None


def _kind(value: Any) -> str:
    """A value's kind as a setting: TOML and YAML agree on these."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _check_model_setting(name: str, value: Any, default: Any, origin: str) -> None:
    """A modelling setting takes the kind of value its default in dbt_project.yml is (a
    default of null takes any): caught here, naming it, rather than deep in a dbt run."""
    if name == "identity_engine":
        if value not in ("python", "sql"):
            raise SettingsError(f"setting models.identity_engine (from {origin}): "
                                f"\"python\" or \"sql\", not {value!r}")
        return
    if default is None or _kind(value) == _kind(default):
        return
    raise SettingsError(f"setting models.{name} (from {origin}): {_kind(default)} like its "
                        f"default ({default!r}), not {value!r}")


def current_settings() -> Settings:
    """The process's settings, read once: for code no caller passes the tree to."""
    global _current
    if _current is None:
        _current = load_settings()
    return _current


def use_settings(settings: Settings | None) -> None:
    """Make `settings` the process's own (the CLI, after applying its options); None forgets
    them, so the next `current_settings()` reads the environment and files again."""
    global _current
    _current = settings


def default_published(warehouse: Path) -> Path:
    return warehouse.parent / "published" / warehouse.name


def default_dagster_home(warehouse: Path) -> Path:
    """Dagster's run storage for a warehouse: beside it, so runs persist between commands and
    `dagster dev` can show them (DAGSTER_HOME when set takes precedence)."""
    return warehouse.resolve().parent / "dagster_home"



class RunPaths(Protocol):
    """Where one run reads and writes, as the layers below Dagster need it (the Dagster resource
    `cdp.orchestration.resources.CdpSettings` is one)."""

    exports_dir: str
    warehouse: str
    published_warehouse: str
    reports_dir: str
    allow_shrink: bool
    published_versions_kept: int

    @property
    def logs_dir(self) -> Path: ...

    @property
    def activation_dir(self) -> Path: ...


def effective_rows(settings: Settings) -> dict[str, list[tuple[str, str, str, str]]]:
    """Per section, (name, value shown, where it came from, environment variable): what
    `cdp config show` prints. Secrets show only whether they are set."""
    rows: dict[str, list[tuple[str, str, str, str]]] = {}
    for section, model in SECTIONS.items():
        values = getattr(settings, section)
        for name, field in model.model_fields.items():
            value = getattr(values, name)
            if isinstance(value, SecretStr):
                shown = "•••••• (set)"
            elif value is None and section == "paths":
                derived = {"published_warehouse": values.published, "reports_dir": values.reports,
                           "dagster_home": values.dagster}[name]
                shown = f"{derived}  (beside the warehouse)"
            elif value is None:
                shown = "(unset)"
            else:
                shown = str(value)
            env = (field.json_schema_extra or {}).get("env") or ""
            rows.setdefault(section, []).append(
                (name, shown, settings.origins.get(f"{section}.{name}", "default"), env))
    for name, value in sorted(settings.models.items()):
        shown = yaml.safe_dump(value, default_flow_style=True, width=10_000,
                               allow_unicode=True).strip()
        shown = shown.removesuffix("...").strip()
        rows.setdefault("models", []).append(
            (name, shown[:120] + ("…" if len(shown) > 120 else ""),
             settings.origins.get(f"models.{name}", "default"), ""))
    return rows


def reference_markdown() -> str:
    """docs/configuration.md: every setting, its variable, default and meaning."""
    lines = [
        "# Configuration reference",
        "",
        "Generated from `cdp/settings.py` by `cdp config reference` (a test checks it is current).",
        "",
        "Each setting is read from one place, highest first: a command-line option, the "
        "environment variable, `cdp.toml` (in the working folder, or the file `CDP_CONFIG` "
        "names) under its section, for secrets `.dlt/secrets.toml`, then the default. "
        "`cdp config show` prints the settings in effect and where each came from, secrets "
        "masked.",
        "",
        "```toml",
        "# cdp.toml",
        "[paths]",
        'exports_dir = "/srv/exports"',
        "",
        "[publishing]",
        "versions_kept = 7",
        "",
        "[models]            # any key of the `vars:` block of dbt_project/dbt_project.yml",
        "probabilistic_matching = false",
        'identity_engine = "sql"',
        "```",
        "",
    ]
    for section, model in SECTIONS.items():
        lines += [f"## [{section}]", "", "| setting | environment | default | meaning |",
                  "|---|---|---|---|"]
        for name, field in model.model_fields.items():
            extra = field.json_schema_extra or {}
            env = f"`{extra['env']}`" if extra.get("env") else ""
            if extra.get("secret_key"):
                env += f" or `{extra['secret_key']}` in .dlt/secrets.toml"
            if extra.get("config_key"):
                env += f" or `{extra['config_key']}` in .dlt/config.toml"
            default = field.default
            if isinstance(default, Path) and default.is_absolute():
                default = default.relative_to(REPO_ROOT)
            shown = "" if default is None else f"`{default}`"
            meaning = (field.description or "").replace("|", "\\|")
            lines.append(f"| `{name}` | {env} | {shown} | {meaning} |")
        lines.append("")
    lines += [
        "## [models]",
        "",
        "The modelling settings dbt reads: each key of the `vars:` block of "
        "`dbt_project/dbt_project.yml`, where each is commented with its meaning and default. "
        "Set them under `[models]` in cdp.toml; every dbt command the product runs passes them "
        "with `--vars` (`cdp/transformation/dbt_vars.py`), so a switch read inside "
        "`dbt_project.yml` works too. Two switches choose models:",
        "",
        "- `identity_engine`: `python` (scipy and Splink in dbt Python models; the default on "
        "DuckDB) or `sql` (set-based SQL, the default elsewhere);",
        "- `probabilistic_matching`: `false` turns Splink's probabilistic matching off.",
        "",
        "`cdp dbt ls` (or any dbt command after `cdp dbt`) runs dbt with these vars.",
        "",
    ]
    return "\n".join(lines)
