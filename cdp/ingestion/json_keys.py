"""Keys a JSON line repeats, and what the loader does about them.

JSON leaves a repeated key's meaning to the reader: DuckDB's `read_json` refuses the line,
Python's parsers keep the last value, DuckDB's `json_extract` the first. So the loader settles it
itself, line by line, at every depth (`messageId`, `context.traits.email`, a product in
`properties.products`):

- every occurrence carries the same value: the line loads, the key once;
- the values differ: the line is set aside, its reason naming the keys; the rest of the file loads.
"""

import json
from dataclasses import dataclass
from json.decoder import scanstring
from typing import Any

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\r\n"


class _Members(list):
    """An object's members as written, repeats included: (key, value) pairs."""


@dataclass(frozen=True)
class RepeatedKeys:
    conflicting: list[str]  # paths of keys repeated with different values
    same_valued: list[str]  # paths of keys repeated with one value


def repeated_keys(text: str) -> RepeatedKeys:
    """The keys `text` (one valid JSON value) repeats within one object, by path."""
    repeats = False

    def members(pairs: list[tuple[str, Any]]) -> _Members:
        nonlocal repeats
        repeats = repeats or len({key for key, _ in pairs}) < len(pairs)
        return _Members(pairs)

    # Numbers compared as written: 1 and 1.0 are not "the same value".
    parsed = json.loads(text, object_pairs_hook=members, parse_float=_Number,
                        parse_int=_Number, parse_constant=_Number)
    conflicting: list[str] = []
    same_valued: list[str] = []
    if repeats:
        _walk(parsed, "", conflicting, same_valued)
    return RepeatedKeys(conflicting, same_valued)


def conflict_reason(paths: list[str]) -> str:
    """Why a line is set aside, naming the keys it repeats with different values."""
    keys = ", ".join(f"'{path}'" for path in paths)
    if len(paths) == 1:
        return f"duplicate key {keys} with different values: the line does not say which one holds"
    return f"duplicate keys {keys} with different values: the line does not say which ones hold"


def without_repeated_top_level_keys(text: str) -> str:
    """The object `text` with each top-level key once (its first occurrence, written as it was):
    DuckDB's reader refuses an object that repeats a key. Repeats inside nested values load as
    they are, their values being the same."""
    members: dict[str, str] = {}
    index = _skip(text, 0) + 1  # past "{"
    while True:
        index = _skip(text, index)
        if text[index] == "}":
            break
        key, index = scanstring(text, index + 1)
        index = _skip(text, _skip(text, index) + 1)  # past ":"
        _, end = _DECODER.raw_decode(text, index)
        members.setdefault(key, text[index:end])
        index = _skip(text, end)
        if text[index] == ",":
            index += 1
    return "{" + ",".join(f"{json.dumps(key, ensure_ascii=False)}:{value}"
                          for key, value in members.items()) + "}"


class _Number(str):
    """A number (or NaN/Infinity) kept as its text."""


def _skip(text: str, index: int) -> int:
    while text[index] in _WHITESPACE:
        index += 1
    return index


def _walk(value: Any, path: str, conflicting: list[str], same_valued: list[str]) -> None:
    """Add the paths of the keys repeated in `value` (at `path`) and its descendants."""
    if isinstance(value, _Members):
        written: dict[str, list[Any]] = {}
        for key, member in value:
            written.setdefault(key, []).append(member)
            _walk(member, f"{path}.{key}" if path else key, conflicting, same_valued)
        for key, members in written.items():
            if len(members) > 1:
                same = len({_canonical(member) for member in members}) == 1
                (same_valued if same else conflicting).append(f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            _walk(item, f"{path}[{position}]", conflicting, same_valued)


def _canonical(value: Any) -> str:
    """One text per JSON value, whatever its members' order or spacing."""
    if isinstance(value, _Members):
        first: dict[str, str] = {}
        for key, member in value:
            first.setdefault(key, _canonical(member))
        return "{" + ",".join(f"{json.dumps(key)}:{first[key]}" for key in sorted(first)) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_canonical(item) for item in value) + "]"
    if isinstance(value, _Number):
        return str(value)
    return json.dumps(value)
