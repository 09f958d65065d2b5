"""The PostgreSQL serving database: a schema per role with real GRANTs to login roles, views
that mask, and an atomic swap, on a real server the tests start."""

import re
import shutil
import threading
from pathlib import Path

import duckdb
import psycopg
import pytest
import yaml

from cdp.orchestration.resources import CdpSettings
from cdp.orchestration.runner import run_pipeline
from cdp.privacy.policy import DEFAULT_POLICY, load_policy
from cdp.privacy.roles import consenting_customers_sql, hashed_sql
from cdp.privacy_requests.requests import Selector, erase
from cdp.publishing.serving import SERVING_URL_VARIABLE, ServingError, publish_serving
from tests.helpers import query

PUBLISHER, PUBLISHER_PASSWORD = "cdp_publisher", "publisher-password"
LOGINS = {"alice": "analyst", "bob": "marketing", "carol": "admin"}
SALT = "salt-of-the-serving-tests"
EMAIL = re.compile(r"[^\s@\"]+@[^\s@\"]+\.[a-z]{2,}", re.IGNORECASE)
PHONE = re.compile(r"\+?[0-9]{8,15}")  # a whole value, once separators are taken out


def shaped_like_contact(value: str) -> bool:
    """An email anywhere in the value, or a value (or a JSON string in it) that is a phone."""
    strings = re.findall(r'"([^"]*)"', value) if value[:1] in "{[" else [value]
    return bool(EMAIL.search(value)) or any(
        PHONE.fullmatch(re.sub(r"[\s.()-]", "", text)) for text in strings)


@pytest.fixture(scope="module")
def serving(postgres_server, built_sample, tmp_path_factory):
    """The sample's marts published to a fresh serving database, and the policy used."""
    folder = tmp_path_factory.mktemp("serving")
    shutil.copytree(built_sample.parent, folder / "warehouse")
    warehouse = folder / "warehouse" / built_sample.name
    with postgres_server.superuser() as admin:
        admin.execute(f"create role {PUBLISHER} login createrole password "
                      f"'{PUBLISHER_PASSWORD}'")
        admin.execute(f"create database serving owner {PUBLISHER}")
        for login in LOGINS:
            admin.execute(f"create role {login} login password '{login}-password'")
    document = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    for login, role in LOGINS.items():
        document["roles"][role]["logins"] = [login]
    policy_file = folder / "policy.yml"
    policy_file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    policy = load_policy(policy_file)
    url = postgres_server.url(PUBLISHER, PUBLISHER_PASSWORD, "serving")
    served = publish_serving(url, warehouse, policy, SALT, run_id="night-two")
    return {"url": url, "warehouse": warehouse, "policy": policy, "served": served,
            "server": postgres_server}


def login(serving, user: str) -> psycopg.Connection:
    return psycopg.connect(serving["server"].url(user, f"{user}-password", "serving"),
                           autocommit=True)


def test_every_role_gets_a_schema_its_login_reads(serving):
    served = serving["served"]
    assert not served.notes
    marts = query(serving["warehouse"], "select table_name from information_schema.tables "
                                        "where table_schema = 'marts' order by 1")
    assert served.roles["admin"] == served.roles["analyst"] == [name for (name,) in marts]
    assert served.roles["marketing"] == ["customer_consents", "customer_segments", "customers"]
    customers = query(serving["warehouse"], "select count(*) from marts.customers")[0][0]
    with login(serving, "alice") as alice, login(serving, "carol") as carol:
        assert alice.execute("select count(*) from analyst.customers").fetchone()[0] == customers
        assert carol.execute("select count(*) from admin.customers").fetchone()[0] == customers
        assert alice.execute("select run_id from analyst.cdp_publication").fetchone() == (
            "night-two",)


@pytest.mark.parametrize("user, schema", [
    ("alice", "admin"), ("alice", "marketing"), ("alice", "cdp_private"),
    ("bob", "analyst"), ("bob", "admin"), ("bob", "cdp_private"),
])
def test_a_login_cannot_read_another_roles_schema(serving, user, schema):
    with login(serving, user) as connection, \
            pytest.raises(psycopg.errors.InsufficientPrivilege):
        connection.execute(f"select count(*) from {schema}.customers")


def test_the_analyst_view_holds_nothing_shaped_like_an_email_or_a_phone(serving):
    found = {}
    with login(serving, "alice") as alice:
        columns = alice.execute("""
            select table_name, column_name from information_schema.columns
            where table_schema = 'analyst' and data_type in ('text', 'jsonb')
            order by 1, 2""").fetchall()
        assert len(columns) > 50
        for table, column in columns:
            if column.startswith("_dlt_"):  # load ids are timestamps: "1795577068.02359"
                continue
            for (value,) in alice.execute(
                    f'select distinct "{column}"::text from analyst."{table}" '
                    f'where "{column}" is not null'):
                if shaped_like_contact(value):
                    found.setdefault(f"{table}.{column}", value)
        # Names are initials, emails are salted hashes: still joinable, never readable.
        names = [row[0] for row in alice.execute(
            "select full_name from analyst.customers where full_name is not null limit 50")]
        hashes = [row[0] for row in alice.execute(
            "select email from analyst.customers where email is not null limit 50")]
    assert found == {}
    with login(serving, "carol") as carol:  # the same scan finds them in the admin's view
        assert any(shaped_like_contact(value) for (value,) in carol.execute(
            "select email from admin.customers union all select phone from admin.customers"
        ) if value)
    assert names and all(re.fullmatch(r"(\w\. ?)+", name) for name in names), names[:5]
    assert hashes and all(re.fullmatch(r"[0-9a-f]{64}", value) for value in hashes)
    # The same hashes as the analyst's embedded file, so both joins agree.
    with duckdb.connect() as duck:
        duck.execute(f"attach '{serving['warehouse']}' as working (read_only)")
        expected = {row[0] for row in duck.execute(
            f"select {hashed_sql('email', SALT)} from working.marts.customers "
            "where email is not null").fetchall()}
    assert set(hashes) <= expected


def test_marketing_sees_only_consenting_customers_with_their_identifiers(serving):
    consenting = {row[0] for row in query(serving["warehouse"], consenting_customers_sql(
        "marts.customer_consents"))}
    with login(serving, "bob") as bob:
        seen = {row[0] for row in bob.execute("select customer_id from marketing.customers")}
        emails = bob.execute("select count(*) from marketing.customers "
                             "where email like '%@%'").fetchone()[0]
        segments = {row[0] for row in bob.execute(
            "select distinct customer_id from marketing.customer_segments")}
    assert seen == consenting and len(seen) > 0
    assert segments <= consenting
    assert emails > 0


def test_the_admin_view_is_the_marts(serving):
    expected = query(serving["warehouse"], """
        select count(*), count(distinct email), sum(net_revenue)::bigint,
            max(last_seen_at)::varchar
        from marts.customers""")[0]
    with login(serving, "carol") as carol:
        served = carol.execute("""
            select count(*), count(distinct email), sum(net_revenue)::bigint,
                to_char(max(last_seen_at), 'YYYY-MM-DD HH24:MI:SS')
            from admin.customers""").fetchone()
    assert served[:3] == expected[:3]
    assert expected[3].startswith(served[3])


def test_readers_see_one_whole_version_while_the_swap_happens(serving, tmp_path):
    # A second warehouse with fewer customers: every answer is one version's, never a mix.
    smaller = tmp_path / "smaller" / "cdp.duckdb"
    shutil.copytree(Path(serving["warehouse"]).parent, smaller.parent)
    with duckdb.connect(str(smaller)) as connection:
        connection.execute("delete from marts.customers where customer_id like '%0'")
        connection.execute("delete from marts.customer_records where customer_id like '%0'")
    versions = {}
    for warehouse in (serving["warehouse"], smaller):
        versions[str(warehouse)] = query(warehouse, """
            select (select count(*) from marts.customers),
                (select count(*) from marts.customer_records)""")[0]
    answers, errors, stop = [], [], threading.Event()

    def read() -> None:
        with login(serving, "carol") as carol:
            while not stop.is_set():
                try:
                    answers.append(carol.execute("""
                        select (select count(*) from admin.customers),
                            (select count(*) from admin.customer_records)""").fetchone())
                except psycopg.Error as error:
                    errors.append(str(error))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for night in range(4):
            publish_serving(serving["url"], smaller if night % 2 == 0 else serving["warehouse"],
                            serving["policy"], SALT, run_id=f"swap-{night}")
    finally:
        stop.set()
        reader.join()
    assert errors == []
    assert len(answers) > 10
    assert set(answers) <= set(versions.values())
    assert answers[-1] == versions[str(serving["warehouse"])]


def test_a_reader_holding_the_old_version_makes_the_publish_fail_and_keeps_it(
        serving, monkeypatch):
    monkeypatch.setenv("CDP_SERVING_LOCK_TIMEOUT", "1")
    with login(serving, "carol") as carol:
        before = carol.execute("select version from admin.cdp_publication").fetchone()
        with carol.transaction():  # a long report, still reading
            carol.execute("select count(*) from admin.customers")
            with pytest.raises(ServingError, match="readers held its tables"):
                publish_serving(serving["url"], serving["warehouse"], serving["policy"], SALT)
        assert carol.execute("select version from admin.cdp_publication").fetchone() == before
        assert carol.execute("select count(*) from admin.customers").fetchone()[0] > 0


def test_the_nightly_run_publishes_to_the_serving_database(serving, exports_dir, tmp_path,
                                                           monkeypatch):
    monkeypatch.setenv(SERVING_URL_VARIABLE, serving["url"])
    monkeypatch.setenv("CDP_PRIVACY_POLICY", str(serving["warehouse"].parents[1] / "policy.yml"))
    settings = CdpSettings(exports_dir=str(exports_dir),
                           warehouse=str(tmp_path / "warehouse" / "cdp.duckdb"),
                           published_warehouse=str(tmp_path / "published" / "cdp.duckdb"),
                           reports_dir=str(tmp_path / "reports"))

    outcome = run_pipeline(settings)

    assert outcome.success, outcome.failure_report()
    customers = query(Path(settings.warehouse), "select count(*) from marts.customers")[0][0]
    with login(serving, "alice") as alice:
        assert alice.execute("select count(*) from analyst.customers").fetchone() == (
            customers,)
        assert alice.execute("select run_id from analyst.cdp_publication").fetchone()[0] \
            not in ("night-two", "manual")


def test_an_erased_person_leaves_the_serving_database(serving, tmp_path, monkeypatch):
    monkeypatch.setenv(SERVING_URL_VARIABLE, serving["url"])
    monkeypatch.setenv("CDP_PRIVACY_POLICY", str(serving["warehouse"].parents[1] / "policy.yml"))
    shutil.copytree(serving["warehouse"].parent, tmp_path / "warehouse")
    warehouse = tmp_path / "warehouse" / serving["warehouse"].name
    settings = CdpSettings(exports_dir=str(tmp_path / "exports"), warehouse=str(warehouse),
                           published_warehouse=str(tmp_path / "published" / "cdp.duckdb"),
                           reports_dir=str(tmp_path / "reports"))
    publish_serving(serving["url"], warehouse, serving["policy"], SALT)
    [(customer_id, email, others)] = query(warehouse, """
        select customer_id, email, (select count(*) from marts.customers) - 1
        from marts.customers where email is not null and orders_count > 0
        order by customer_id limit 1""")

    result = erase(settings, Selector(customer_id=customer_id), requested_by="the person",
                   reason="erasure request", confirmed=True)

    assert not result.notes, result.notes
    with login(serving, "carol") as carol:
        assert carol.execute("select count(*) from admin.customers").fetchone() == (others,)
        for table, column in carol.execute("""
                select table_name, column_name from information_schema.columns
                where table_schema = 'admin' and data_type = 'text'""").fetchall():
            assert carol.execute(
                f'select count(*) from admin."{table}" where "{column}" in (%s, %s)',
                [customer_id, email]).fetchone() == (0,), f"{table}.{column}"
