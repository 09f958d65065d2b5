"""Reading amounts the way the export's locale writes them, never rescaling one silently.

`150000.00`, `150,000.00`, `150.000` (Vietnamese: one hundred and fifty thousand), `1.000.000,50`,
`₫120000` and `120 000 VND` are all amounts. Most values say by their shape which mark is the
decimal point (`1.000.000`, `1,234.56`, `12,5`). Only a single group of three digits after one
mark (`150.000`, `1,500`) can be read both ways: as three decimals or as a thousands group.

Such a value is read by the file's established style, what its other amounts show:

- its decimal mark: the system's configured `decimal_separator` (`.` or `,`; default `auto`),
  else the mark the file's other amounts use;
- how many decimals it writes after that mark (`1097000.00`: two);
- the mark it groups thousands with, if it groups them (`1.000.000`: the dot).

Read as decimals, the mark must be the file's decimal mark (or the file shows none) and three
decimals must fit: the file writes three or more elsewhere, or, when it writes no decimals at
all, the configured separator says so or the currency has three (VND has none, USD two). Read as
thousands, the mark must not be the file's decimal mark, nor a mark other than the one it groups
with. One reading left: that is the value. Both left (a three-decimal currency like KWD and
nothing else to go on): the row is set aside as ambiguous. Neither left (`150.000` in a file of
`1097000.00`: the dot is its decimal mark, so no thousands group, and it writes two decimals, so
no third): the row is set aside as contradicting its file. Never guessed.
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
    # Three digits after a single mark: a thousands group or three decimals (`0.125` is no
    # thousands group: it is a decimal).
    "ambiguous_dot": r"^[+-]?[1-9]\d{0,2}\.\d{3}$",
    "ambiguous_comma": r"^[+-]?[1-9]\d{0,2},\d{3}$",
    # Comma groups with a decimal point, or several comma groups: 1,234.56 / 1,234,567
    "dot_decimal_grouped": r"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$",
    # Dot groups with a decimal comma, or several dot groups: 1.234,56 / 1.000.000
    "comma_decimal_grouped": r"^[+-]?[1-9]\d{0,2}(\.\d{3})+(,\d+)?$",
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
class Reading:
    """How a file's amounts with a lone mark and three digits after it (`150.000` for the dot)
    read: as `decimals` or `thousands`, or not at all, the row set aside as `ambiguous` or
    `contradictory` (`why`: on what evidence)."""

    kind: str
    why: str = ""


@dataclass(frozen=True)
class AmountFormat:
    dot: Reading  # 150.000
    comma: Reading  # 1,500


@dataclass(frozen=True)
class _Style:
    """What a file's unambiguous amounts show."""

    decimal_marks: frozenset[str]  # the marks they use as decimal point
    most_decimals: int | None  # the most digits written after a decimal mark; None: no decimals
    grouping_marks: frozenset[str]  # the marks they group thousands with


def detect_format(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    text_columns: list[str],
    currency_column: str | None,
    configured_separator: str,
    default_currency: str,
) -> AmountFormat:
    """Settle how this file's ambiguous amounts read (see the module docstring)."""
    style = _style(connection, table, text_columns)
    currencies = {default_currency.upper()}
    if currency_column and text_columns:
        found = connection.execute(f"""
            select distinct upper(trim({currency_column})) from {table}
            where nullif(trim({currency_column}), '') is not null
        """).fetchall()
        currencies = {row[0] for row in found} or currencies
    three_decimal = sorted(currencies & set(_THREE_DECIMAL_CURRENCIES))
    configured = configured_separator if configured_separator in (".", ",") else None
    return AmountFormat(*(_reading(mark, style, configured, currencies, three_decimal)
                          for mark in (".", ",")))


def _style(connection: duckdb.DuckDBPyConnection, table: str, text_columns: list[str]) -> _Style:
    if not text_columns:
        return _Style(frozenset(), None, frozenset())
    values = " union all ".join(
        f"select {_cleaned(column)} as cleaned, {_shape(_cleaned(column))} as shape "
        f"from {table} where nullif(trim({column}), '') is not null"
        for column in text_columns
    )
    dot, comma, most_decimals, dot_groups, comma_groups = connection.execute(f"""
        select
            count(*) filter (where shape in ('dot_decimal', 'dot_decimal_grouped')),
            count(*) filter (where shape in ('comma_decimal', 'comma_decimal_grouped')),
            max(length(case
                when shape in ('dot_decimal', 'dot_decimal_grouped')
                    then regexp_extract(cleaned, '\\.(\\d+)$', 1)
                when shape in ('comma_decimal', 'comma_decimal_grouped')
                    then regexp_extract(cleaned, ',(\\d+)$', 1)
            end)),
            count(*) filter (where shape = 'comma_decimal_grouped'),
            count(*) filter (where shape = 'dot_decimal_grouped')
        from ({values})
    """).fetchone()
    return _Style(
        decimal_marks=frozenset(mark for mark, seen in ((".", dot), (",", comma)) if seen),
        most_decimals=most_decimals or None,
        grouping_marks=frozenset(mark for mark, seen in ((".", dot_groups), (",", comma_groups))
                                 if seen),
    )


def _reading(
    mark: str, style: _Style, configured: str | None, currencies: set[str],
    three_decimal: list[str],
) -> Reading:
    """How `d{1,3}<mark>ddd` reads in a file of this style (see the module docstring)."""
    if configured is None and len(style.decimal_marks) > 1:
        return Reading("ambiguous", "the file writes amounts both ways")
    decimal_mark = configured or next(iter(style.decimal_marks), None)
    if style.most_decimals is not None:
        three_decimals_fit = style.most_decimals >= 3
        decimals = f"the file writes at most {style.most_decimals} decimals"
    else:
        three_decimals_fit = configured == mark or bool(three_decimal)
        decimals = (f"currency {', '.join(three_decimal)} has three decimals" if three_decimal
                    else f"currency {', '.join(sorted(currencies))} has at most two decimals")
    as_decimals = decimal_mark in (mark, None) and three_decimals_fit
    as_thousands = decimal_mark != mark and style.grouping_marks <= {mark}
    if as_decimals and as_thousands:
        return Reading("ambiguous", f"{decimals} and nothing says which mark is the decimal "
                                    "point")
    if as_decimals or as_thousands:
        return Reading("decimals" if as_decimals else "thousands")
    if decimal_mark == mark:
        point = "the configured decimal separator" if configured else "the file's decimal point"
        return Reading("contradictory", f"'{mark}' is {point}, so no thousands separator, and "
                                        f"{decimals}")
    groups = " and ".join(f"'{other}'" for other in sorted(style.grouping_marks))
    return Reading("contradictory", f"the file groups thousands with {groups}")


def amount_sql(text: str, amount_format: AmountFormat) -> str:
    """SQL turning the text column into DECIMAL(18, 2), NULL where it is unparseable or
    its reading is not settled."""
    cleaned = _cleaned(text)

    def as_decimal(expression: str) -> str:
        return f"try_cast({expression} as decimal(18, 2))"

    no_commas = f"replace({cleaned}, ',', '')"
    no_dots = f"replace({cleaned}, '.', '')"
    comma_as_point = f"replace(replace({cleaned}, '.', ''), ',', '.')"
    ambiguous_dot = {"decimals": as_decimal(cleaned), "thousands": as_decimal(no_dots)}.get(
        amount_format.dot.kind, "null")
    ambiguous_comma = {"decimals": as_decimal(comma_as_point),
                       "thousands": as_decimal(no_commas)}.get(amount_format.comma.kind, "null")
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

    def unsettled(reading: Reading) -> str:
        why = reading.why.replace("'", "''")
        if reading.kind == "contradictory":
            return (f"'contradictory amount in ''{label}'': ' || {text} || ' reads neither as "
                    f"three decimals nor as thousands in this file ({why}); correct the value'")
        return (f"'ambiguous amount in ''{label}'': ' || {text} || ' reads as thousands or as "
                f"three decimals ({why}); set the system''s decimal_separator'")

    return f"""case
        when nullif(trim({text}), '') is null then null
        when {amount_sql(text, amount_format)} is not null then null
        when {_shape(cleaned)} = 'ambiguous_dot' then {unsettled(amount_format.dot)}
        when {_shape(cleaned)} = 'ambiguous_comma' then {unsettled(amount_format.comma)}
        else 'unparseable amount in ''{label}'': ' || {text}
    end"""
