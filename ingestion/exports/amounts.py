"""Reading amounts the way the export's locale writes them, never rescaling one silently.

`150000.00`, `150,000.00`, `150.000` (Vietnamese: one hundred and fifty thousand), `1.000.000,50`,
`₫120000` and `120 000 VND` are all amounts. Most values say by their shape which mark is the
decimal point (`1.000.000`, `1,234.56`, `12,5`). Only a single group of three digits after one
mark (`150.000`, `1,500`) can be read both ways. That is settled, in order, by:

1. the system's configured `decimal_separator` (`.` or `,`; default `auto`),
2. the other amounts of the same file, when their shapes agree on a convention,
3. the currency: it has at most two decimals (VND none, USD two), so three digits after the mark
   are a thousands group;

and when none of these settles it (a three-decimal currency such as KWD with nothing else to go
on), the row is set aside as ambiguous rather than guessed.
"""

from dataclasses import dataclass

import duckdb

# ISO 4217 currencies whose minor unit has three digits: only there can `1.234` be 1.234.
_THREE_DECIMAL_CURRENCIES = ("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND")

# Currency symbols, codes, spaces (also no-break and narrow no-break) and apostrophes (Swiss
# grouping) around or inside the number.
# (Written for a SQL string literal: its apostrophe is doubled.)
_NOISE = r"[\s\x{00A0}\x{202F}''’₫$€£¥₩฿]|(?i:vnd|vnđ|đ|usd|eur|sgd|thb|jpy|krw)"  # noqa: RUF001 - the curly apostrophe is meant


def _cleaned(text: str) -> str:
    return f"regexp_replace(trim({text}), '{_NOISE}', '', 'g')"


# name -> regular expression over the cleaned text
_SHAPES = {
    "integer": r"^[+-]?\d+$",
    # Three digits after a single mark: a thousands group or three decimals.
    "ambiguous_dot": r"^[+-]?\d{1,3}\.\d{3}$",
    "ambiguous_comma": r"^[+-]?\d{1,3},\d{3}$",
    # Comma groups with a decimal point, or several comma groups: 1,234.56 / 1,234,567
    "dot_decimal_grouped": r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$",
    # Dot groups with a decimal comma, or several dot groups: 1.234,56 / 1.000.000
    "comma_decimal_grouped": r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$",
    "dot_decimal": r"^[+-]?\d*\.\d+$",
    "comma_decimal": r"^[+-]?\d*,\d+$",
}


def _shape(cleaned: str) -> str:
    branches = " ".join(
        f"when regexp_matches({cleaned}, '{pattern}') then '{name}'"
        for name, pattern in _SHAPES.items()
    )
    return f"case {branches} else 'unparseable' end"


@dataclass(frozen=True)
class AmountFormat:
    """How a file's ambiguous amounts read: `.` or `,` as the decimal mark, `grouping` when
    either mark can only be a thousands separator (currencies with at most two decimals), or
    None when nothing tells."""

    ambiguous_reading: str | None
    why: str


def detect_format(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    text_columns: list[str],
    currency_column: str | None,
    configured_separator: str,
    default_currency: str,
) -> AmountFormat:
    """Settle how this file's ambiguous amounts read (see the module docstring)."""
    if configured_separator in (".", ","):
        return AmountFormat(configured_separator, f"configured decimal separator "
                                                  f"'{configured_separator}'")
    if not text_columns:
        return AmountFormat(None, "no amounts")
    values = " union all ".join(
        f"select {_shape(_cleaned(column))} as shape from {table} "
        f"where nullif(trim({column}), '') is not null"
        for column in text_columns
    )
    dot, comma = connection.execute(f"""
        select count(*) filter (where shape in ('dot_decimal', 'dot_decimal_grouped')),
               count(*) filter (where shape in ('comma_decimal', 'comma_decimal_grouped'))
        from ({values})
    """).fetchone()
    if dot and not comma:
        return AmountFormat(".", "the file's other amounts use a decimal point")
    if comma and not dot:
        return AmountFormat(",", "the file's other amounts use a decimal comma")
    currencies = {default_currency.upper()}
    if currency_column:
        found = connection.execute(f"""
            select distinct upper(trim({currency_column})) from {table}
            where nullif(trim({currency_column}), '') is not null
        """).fetchall()
        currencies = {row[0] for row in found} or currencies
    three_decimal = sorted(currencies & set(_THREE_DECIMAL_CURRENCIES))
    if dot and comma:
        return AmountFormat(None, "the file writes amounts both ways")
    if three_decimal:
        return AmountFormat(None, f"currency {', '.join(three_decimal)} has three decimals")
    return AmountFormat("grouping", f"currency {', '.join(sorted(currencies))} has at most two "
                                    "decimals, so three digits after a mark are a thousands "
                                    "group")


def amount_sql(text: str, amount_format: AmountFormat) -> str:
    """SQL turning the text column into DECIMAL(18, 2), NULL where it is unparseable or
    ambiguous and unsettled."""
    cleaned = _cleaned(text)

    def as_decimal(expression: str) -> str:
        return f"try_cast({expression} as decimal(18, 2))"

    no_commas = f"replace({cleaned}, ',', '')"
    no_dots = f"replace({cleaned}, '.', '')"
    comma_as_point = f"replace(replace({cleaned}, '.', ''), ',', '.')"
    reading = amount_format.ambiguous_reading
    ambiguous_dot = {".": as_decimal(cleaned), ",": as_decimal(no_dots),
                     "grouping": as_decimal(no_dots)}.get(reading, "null")
    ambiguous_comma = {".": as_decimal(no_commas), ",": as_decimal(comma_as_point),
                       "grouping": as_decimal(no_commas)}.get(reading, "null")
    return f"""case {_shape(cleaned)}
        when 'integer' then {as_decimal(cleaned)}
        when 'ambiguous_dot' then {ambiguous_dot}
        when 'ambiguous_comma' then {ambiguous_comma}
        when 'dot_decimal_grouped' then {as_decimal(no_commas)}
        when 'comma_decimal_grouped' then {as_decimal(comma_as_point)}
        when 'dot_decimal' then {as_decimal(cleaned)}
        when 'comma_decimal' then {as_decimal(f"replace({cleaned}, ',', '.')")}
    end"""


def amount_problem_sql(text: str, column: str, amount_format: AmountFormat) -> str:
    """SQL giving why a non-empty amount was not read (NULL when it was)."""
    cleaned = _cleaned(text)
    label = column.replace("'", "''")
    why = amount_format.why.replace("'", "''")
    return f"""case
        when nullif(trim({text}), '') is null then null
        when {amount_sql(text, amount_format)} is not null then null
        when {_shape(cleaned)} in ('ambiguous_dot', 'ambiguous_comma') then
            'ambiguous amount in ''{label}'': ' || {text}
            || ' reads as thousands or as three decimals ({why}); set the system''s '
            || 'decimal_separator'
        else 'unparseable amount in ''{label}'': ' || {text}
    end"""
