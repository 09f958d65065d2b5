"""Probabilistic record matching where identifiers alone are unsure: a Fellegi-Sunter model
(Splink, on DuckDB) trained on the data itself, unsupervised.

Each record is compared on its name, phone, email and city. Names agree in steps as people
write them (the same words in another order, a word left out, a letter off), and exact
agreements on names, phones and emails are weighed by how common the value is (term-frequency
adjustments): "Nguyễn Văn An" or a store's phone agreeing says little, a rare name or a private
mobile says a lot. The m probabilities are estimated by expectation maximisation on pairs
blocked by phone, by name and city and by email (a deterministic hash sample of them past
`max_pairs_for_em`), the u probabilities from a seeded
random sample of pairs, so the same input gives the same model and the same links.

Candidate pairs come from blocking on phone, on email and on name + city, less the pairs the
rules already link through a shared phone or email. A value on more
records than `max_block_size` (a store's phone, "Nguyễn Văn An" in Hà Nội) only brings together
records that also carry the same name, so no block grows with the population.

The model scores pairs; deciding which become links (and how sure they must be) is the job of
int_identity_record_links, where the thresholds are configuration. It never links records whose
names disagree (a household shares phone, email and city and differs only in the name, so those
agreements cannot tell it from one person), nor records that both carry a phone or an email
that differ beyond a typo: a link only the model makes must have nothing against it.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

# Splink logs every training step at INFO: keep the run's log to what matters.
logging.getLogger("splink").setLevel(logging.WARNING)


@dataclass(frozen=True)
class TrainedModel:
    model_json: str  # Splink's settings with the fitted m and u probabilities; "" if untrained
    match_weights_chart_html: str  # Splink's own chart, its scripts inline (opens offline)

    @property
    def trained(self) -> bool:
        return bool(self.model_json)


# Two records the rules already join through one phone or email (the same value, the same person
# on it: `*_linking_key` of int_record_match_features) need no score: at a million customers
# they are most of the blocked pairs.
_LINKED_BY_RULES = ("(coalesce(l.phone_linking_key = r.phone_linking_key, false) "
                    "or coalesce(l.email_linking_key = r.email_linking_key, false))")


def _settings():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on
    from splink.blocking_rule_library import CustomRule

    def weighed_by_frequency(output_column: str, description: str, key_column: str,
                             *partial_agreements: object) -> object:
        """Unknown where `key_column` is missing; then an exact agreement, weighed by how common
        the value is; then `partial_agreements`, strongest first; else a disagreement."""
        return cl.CustomComparison(
            output_column_name=output_column,
            comparison_description=description,
            comparison_levels=[
                cll.NullLevel(key_column),
                cll.ExactMatchLevel(key_column).configure(tf_adjustment_column=key_column),
                *partial_agreements,
                cll.ElseLevel(),
            ],
        )

    name = weighed_by_frequency(
        "name", "Folded name", "name_key",
        cll.CustomLevel("name_sorted_l = name_sorted_r", "same words, another order"),
        cll.CustomLevel("list_has_all(name_words_l, name_words_r) "
                        "or list_has_all(name_words_r, name_words_l)", "a word left out"),
        cll.CustomLevel("jaro_winkler_similarity(name_sorted_l, name_sorted_r) >= 0.93",
                        "nearly the same (a letter off)"),
    )
    phone = weighed_by_frequency(
        "phone", "Phone (E.164)", "phone",
        cll.DamerauLevenshteinLevel("phone", 1).configure(
            label_for_charts="one digit off or two swapped"),
    )
    email = weighed_by_frequency(
        "email", "Email (normalized)", "email",
        cll.CustomLevel("email_user_l = email_user_r", "same mailbox name, other domain"),
        cll.DamerauLevenshteinLevel("email", 1).configure(label_for_charts="one letter off"),
    )
    city = cl.ExactMatch("city")
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_node",
        comparisons=[name, phone, email, city],
        blocking_rules_to_generate_predictions=[
            CustomRule(f"l.{block} = r.{block} and not {_LINKED_BY_RULES}", sql_dialect="duckdb")
            for block in ("phone_block", "email_block", "name_city_block")
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    ), block_on


def _connection(memory_limit: str | None) -> duckdb.DuckDBPyConnection:
    """Splink's own in-memory database, under the build's memory limit (the caller's)."""
    return duckdb.connect(config={"memory_limit": memory_limit} if memory_limit else {})


def build_memory_limit(session: duckdb.DuckDBPyConnection) -> str:
    """The memory limit of the dbt build's database (`[run] duckdb_memory_limit`)."""
    return session.execute("select current_setting('memory_limit')").fetchone()[0]


def _linker(connection: duckdb.DuckDBPyConnection, features: pa.Table, settings):
    from splink import DuckDBAPI, Linker

    records = DuckDBAPI(connection).register(features.sort_by("record_node"),
                                             table_name="records")
    return Linker(records, settings, log_level=None)


def train(features: pa.Table, max_pairs_for_u: float, max_pairs_for_em: float,
          seed: int, memory_limit: str | None = None) -> TrainedModel:
    """Fit the model on `features` (one row per record: record_node, name_key, name_sorted,
    phone, email, email_user, city and the three blocking keys). Too few pairs to estimate a
    parameter leaves the model untrained: no probabilistic links that run, and a warning."""
    creator, block_on = _settings()
    connection = _connection(memory_limit)
    try:
        linker = _linker(connection, features, creator)
        try:
            linker.training.estimate_probability_two_random_records_match(
                [block_on("email_block"), block_on("phone_block")], recall=0.8)
            linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs_for_u,
                                                             seed=seed)
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on("phone_block"), max_pairs=max_pairs_for_em)
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on("name_city_block"), max_pairs=max_pairs_for_em)
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on("email_block"), max_pairs=max_pairs_for_em)
        except Exception as error:  # a small or uniform population is no failure
            logging.getLogger(__name__).warning(
                "probabilistic matching not trained (%s: %s): no probabilistic links this run",
                type(error).__name__, str(error).splitlines()[0][:200] if str(error) else "")
            return TrainedModel("", "")
        model = linker.misc.save_model_to_json()
        chart = linker.visualisations.match_weights_chart()
        return TrainedModel(json.dumps(model, sort_keys=True), chart.to_html(inline=True))
    finally:
        connection.close()


def score(features: pa.Table, model_json: str, threshold: float,
          memory_limit: str | None = None) -> pa.Table:
    """The blocked pairs the trained model scores at or above `threshold`, with what agreed."""
    if not model_json:
        return pa.table({
            "left_record_node": pa.array([], pa.int64()),
            "right_record_node": pa.array([], pa.int64()),
            "match_probability": pa.array([], pa.float64()),
            "match_weight": pa.array([], pa.float64()),
            "agreement": pa.array([], pa.string()),
            "names_agree": pa.array([], pa.bool_()),
            "contradicted": pa.array([], pa.bool_()),
        })
    connection = _connection(memory_limit)
    try:
        settings = json.loads(model_json)
        settings["retain_intermediate_calculation_columns"] = True  # the gamma_ columns
        settings["retain_matching_columns"] = True
        linker = _linker(connection, features, settings)
        predictions = linker.inference.predict(threshold_match_probability=threshold)
        return connection.sql(f"""
            select
                least(record_node_l, record_node_r) as left_record_node,
                greatest(record_node_l, record_node_r) as right_record_node,
                match_probability,
                match_weight,
                concat_ws(', ',
                    case gamma_name when 4 then 'same name' when 3 then 'same name reordered'
                        when 2 then 'name with a word left out'
                        when 1 then 'name a letter off' end,
                    case gamma_phone when 2 then 'same phone'
                        when 1 then 'phone one digit off' end,
                    case gamma_email when 3 then 'same email'
                        when 2 then 'same mailbox name' when 1 then 'email one letter off' end,
                    case gamma_city when 1 then 'same city' end) as agreement,
                gamma_name >= 1 as names_agree,
                -- A phone or email both records carry that differs beyond a typo.
                gamma_phone = 0 or gamma_email = 0 as contradicted
            from {predictions.physical_name}
            order by left_record_node, right_record_node
        """).to_arrow_table()
    finally:
        connection.close()


def training_version(max_pairs_for_u: float, max_pairs_for_em: float, seed: int) -> str:
    """What a saved model was trained with: the training settings and this module's code (its
    comparisons and blocking rules). A saved model of another version is trained again."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(f"{float(max_pairs_for_u)}|{float(max_pairs_for_em)}|{int(seed)}".encode())
    return digest.hexdigest()[:16]


def retraining_reason(saved: tuple[int, str] | None, records: int, version: str,
                      growth: float, asked: bool) -> str | None:
    """Why the model is trained tonight, or None to score with the saved one. `saved`: the
    newest saved model's records compared and training version."""
    if asked:
        return "asked for (probabilistic_retrain)"
    if saved is None:
        return "no model saved"
    saved_records, saved_version = saved
    if saved_version != version:
        return "its training settings or code changed"
    if abs(records - saved_records) > growth * max(saved_records, 1):
        return (f"the records compared changed from {saved_records:,} to {records:,}, more than "
                f"probabilistic_retrain_growth ({growth:.0%})")
    return None
