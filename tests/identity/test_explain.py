"""`cdp explain` on files the nightly publishing writes (the sample built by dlt and dbt, then
published whole and per role): each record with its name, email and phone, masked in a masking
role's file; a value on many customers summarized before its first customers; found from any
folder, and answered without importing the orchestration stack."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cdp.cli.main import main
from cdp.privacy.policy import load_policy
from cdp.privacy.roles import initials_sql
from cdp.publishing.publish import publish_marts
from cdp.publishing.roles import publish_roles
from tests.helpers import query

BIN = Path(sys.executable).parent
HEADER = re.compile(r"^cus_\w+ — \d+ records", re.MULTILINE)


@pytest.fixture(scope="module")
def published(built_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample published as a night publishes it: the full file and every role's, in
    `<deployment>/warehouse/published/`."""
    path = tmp_path_factory.mktemp("deployment") / "warehouse" / "published" / "cdp.duckdb"
    publish_marts(built_sample, path, run_id="explain")
    publish_roles(built_sample, path, load_policy(), os.environ["CDP_PRIVACY_SALT"],
                  run_id="explain", keep_versions=2)
    return path


@pytest.fixture(scope="module")
def person(built_sample: Path) -> dict:
    """A customer whose records come from two sources or more and give names, emails and
    phones."""
    [(customer_id,)] = query(built_sample, """
        select records.customer_id
        from marts.customer_records as records
        inner join marts.identity_links as links using (customer_id, source, record_id)
        where records.full_name is not null
        group by records.customer_id
        having count(distinct records.source) >= 2
            and count(*) filter (where links.identifier_type = 'email') >= 1
            and count(*) filter (where links.identifier_type = 'phone') >= 1
        order by records.customer_id limit 1""")
    names = [name for (name,) in query(built_sample, """
        select distinct full_name from marts.customer_records
        where customer_id = ? and full_name is not null""", [customer_id])]
    contacts = query(built_sample, """
        select identifier_type, identifier_value from marts.identity_links
        where customer_id = ? and identifier_type in ('email', 'phone')""", [customer_id])
    return {"customer_id": customer_id, "names": names,
            "emails": [value for kind, value in contacts if kind == "email"],
            "phones": [value for kind, value in contacts if kind == "phone"]}


def _explain(*arguments: str) -> str:
    result = CliRunner().invoke(main, ["explain", *arguments])
    assert result.exit_code == 0, result.output
    return result.output


def test_each_record_is_shown_with_its_name_email_and_phone(published, person):
    output = _explain("--customer-id", person["customer_id"], "--published", str(published))

    assert output.startswith(f"{person['customer_id']} — ")
    assert re.search(r"source +record +name +email +phone +first seen +last seen", output)
    for value in person["names"] + person["emails"] + person["phones"]:
        assert value in output
    assert "from version " in output and str(published) in output


def test_a_masking_roles_file_shows_initials_and_hashes_never_the_contact_data(
        published, person):
    analyst = published.with_name("cdp_analyst.duckdb")

    output = _explain("--customer-id", person["customer_id"], "--published", str(published),
                      "--role", "analyst")

    assert str(analyst) in output
    assert "this file masks contact data" in output
    for value in person["names"] + person["emails"] + person["phones"]:
        assert value not in output
    # Names as the analyst's file writes them: initials.
    [(initials,)] = query(analyst, f"""
        select {initials_sql("full_name")} from marts.customer_records
        where customer_id = ? and full_name is not null limit 1""", [person["customer_id"]])
    assert re.fullmatch(r"(\S\. ?)+", initials) and initials in output
    # A hashed phone is looked up by the hash explain shows.
    [(hashed,)] = query(analyst, """
        select any_value(identifier_value) from marts.identity_links
        where customer_id = ? and identifier_type = 'phone'""", [person["customer_id"]])
    assert f"{hashed[:12]}…" in output
    by_hash = _explain("--phone", f"{hashed[:12]}…", "--role", "analyst",
                       "--published", str(published))
    assert f"{person['customer_id']} — " in by_hash
    # A plain phone means nothing to a file of hashes, and explain says what to give instead.
    refused = CliRunner().invoke(main, ["explain", "--phone", person["phones"][0], "--role",
                                        "analyst", "--published", str(published)])
    assert refused.exit_code == 1
    assert "this file masks emails and phones: give --phone the hash" in refused.output


def test_a_value_on_many_customers_is_counted_before_its_first_customers(
        published, built_sample):
    [(phone, customers, records)] = query(built_sample, """
        select identifier_value, customers_count, records_count from marts.identity_exclusions
        where identifier_type = 'phone' order by customers_count desc, identifier_value limit 1
    """)
    assert customers > 3, "the sample has a phone typed for many customers (a store's)"

    output = _explain("--phone", phone, "--published", str(published), "--limit", "3")

    summary = output.split("\n\n", 1)[0]
    assert summary.splitlines()[0] == f"phone {phone}: on {records:,} records of " \
                                      f"{customers:,} customers"
    assert f"links made through it: 0 · links refused: {records:,} excluded" in summary
    assert "links nobody: " in summary and "used far beyond one person" in summary
    assert f"the first 3 of {customers:,} customers follow" in summary
    assert len(HEADER.findall(output)) == 3
    # The reason is given once, above; each customer's refusal points to it.
    assert output.count("used far beyond one person") == summary.count(
        "used far beyond one person")
    assert re.search(r"excluded +see above", output)

    default = _explain("--phone", phone, "--published", str(published))
    assert len(HEADER.findall(default)) == min(10, customers)

    everyone = _explain("--phone", phone, "--published", str(published), "--all")
    assert len(HEADER.findall(everyone)) == customers
    assert "the first" not in everyone


def _cdp_explain(arguments: list[str], cwd: Path, **environment: str):
    clean = {name: value for name, value in os.environ.items() if not name.startswith("CDP_")}
    return subprocess.run([str(BIN / "cdp"), "explain", *arguments], cwd=cwd, text=True,
                          capture_output=True, env={**clean, **environment}, timeout=120)


def test_explain_finds_the_published_file_from_any_folder(published, person, tmp_path):
    deployment = published.parents[2]  # <deployment>/warehouse/published/cdp.duckdb
    working = deployment / "warehouse" / "cdp.duckdb"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    asked = ["--customer-id", person["customer_id"]]

    for cwd, environment in [
        (deployment, {}),  # warehouse/cdp.duckdb here, as `cdp run` builds by default
        (elsewhere, {"CDP_WAREHOUSE": str(working)}),
        (elsewhere, {"CDP_PUBLISHED_WAREHOUSE": str(published)}),
    ]:
        answered = _cdp_explain(asked, cwd, **environment)
        assert answered.returncode == 0, (environment, answered.stderr)
        assert answered.stdout.startswith(f"{person['customer_id']} — ")
        assert str(published) in answered.stdout

    nowhere = elsewhere / "warehouse" / "cdp.duckdb"
    missing = _cdp_explain(asked, elsewhere, CDP_WAREHOUSE=str(nowhere))
    assert missing.returncode == 2
    [line] = missing.stderr.splitlines()
    assert line.startswith(f"nothing published at {nowhere.parent / 'published' / 'cdp.duckdb'}:")
    assert "--warehouse, CDP_WAREHOUSE" in line and "--published, CDP_PUBLISHED_WAREHOUSE" in line


def test_explain_imports_neither_dagster_nor_dbt_nor_great_expectations(published, person):
    probe = f"""
import sys
from cdp.cli.main import main
main(["explain", "--customer-id", {person["customer_id"]!r}, "--published", {str(published)!r}],
     standalone_mode=False)
heavy = ("dagster", "dbt", "great_expectations", "splink", "pandas", "dlt")
print("imported:", sorted(name for name in heavy if name in sys.modules))
"""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "imported: []"
