"""Person names compared the way people write them.

Names arrive folded by the dbt models (`fold_name`, `name_words`: NFC, diacritics and đ
removed, lower case, punctuation dropped, single spaces) and are compared as tuples of words.
Two names are *compatible* — plausibly one person — when every word of the shorter is found in
the longer, in any order, each exactly or with one letter added, lost or changed (in words of three
letters or more). That accepts "Nguyễn An" for "Nguyễn Văn An", "An
Nguyễn", "NGUYEN VAN AN", "Nguyn Văn An", "Vũ Thanh Hi" for "Vũ Thanh Hải" and two typed
variants of one name ("Pan Minh Tiến", "Phan Mih Tiến"); it refuses "Nguyễn Thị Lan" for "Trần
Thị Lan" and "Nguyễn Thị Hoa" for "Nguyễn Văn Hoa".

Names are only ever compared among the records of one email or phone: the question is never
"are two Nguyễn Văn An one person?" but "is this phone's Nguyễn Văn An its Nguyễn An?". Vietnamese
names are short words, so a lost letter is often one of two or three ("Hải" typed "Hi"); the
price of tolerating it is that two housemates whose names differ in one letter of one word
("Nguyễn Văn Nam", "Nguyễn Văn Lam") count as one person.

Which names are usable at all (two words or more, no placeholder) is decided in SQL
(`is_usable_name`); only usable names reach this module.
"""

from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache

MIN_FUZZY_TOKEN_LENGTH = 3  # a one-letter difference counts only in words of 3+ letters


def _within_one_edit(left: str, right: str) -> bool:
    if abs(len(left) - len(right)) > 1:
        return False
    if len(left) > len(right):
        left, right = right, left
    mismatches, i, j = 0, 0, 0
    while i < len(left) and j < len(right):
        if left[i] == right[j]:
            i, j = i + 1, j + 1
            continue
        mismatches += 1
        if mismatches > 1:
            return False
        if len(left) == len(right):
            i += 1
        j += 1
    return mismatches + (len(right) - j) <= 1


def nearly_equal(left: str, right: str) -> bool:
    """One letter added, lost or changed, in a word of three letters or more."""
    return (max(len(left), len(right)) >= MIN_FUZZY_TOKEN_LENGTH
            and _within_one_edit(left, right))


def compatible(left: Sequence[str], right: Sequence[str]) -> bool:
    """Every token of the shorter name matches a different token of the longer one, exactly
    or nearly (exact matches are taken first, so a near one never steals an exact partner)."""
    if not left or not right:
        return False
    shorter, longer = (left, right) if len(left) <= len(right) else (right, left)
    unused = list(longer)
    unmatched = []
    for token in shorter:
        if token in unused:
            unused.remove(token)
        else:
            unmatched.append(token)
    for token in unmatched:
        partner = next((other for other in unused if nearly_equal(token, other)), None)
        if partner is None:
            return False
        unused.remove(partner)
    return True


@lru_cache(maxsize=1 << 16)
def _token_keys(token: str) -> frozenset[str]:
    """The token and each spelling of it with one letter deleted. Two tokens within one letter
    added, lost or changed share at least one of these keys (the symmetric-delete index)."""
    return frozenset({token, *(token[:i] + token[i + 1:] for i in range(len(token)))})


def cluster_names(names: Sequence[tuple[str, ...]]) -> list[int | None]:
    """Group the usable names seen on one identifier into people.

    Longer names come first and found the groups (the fullest spelling of a person); each other
    name joins the one group whose founder it is compatible with. A name compatible with two
    groups ("Nguyễn An" beside "Nguyễn Văn An" and "Nguyễn Thị An") cannot say whose it is and
    gets None, as does an unusable name. Returns a group number per input name.

    A store's phone carries thousands of names: comparing each with every founder would be
    quadratic. Founders are indexed by their words' delete-keys, and a name is only compared
    with the founders that have a near or exact partner for every one of its words (a founder
    is never shorter than the name, so each of the name's words must find one).
    """
    order = sorted(range(len(names)), key=lambda index: (-len(names[index]), names[index]))
    founders: list[tuple[str, ...]] = []
    founders_by_key: dict[str, set[int]] = defaultdict(set)
    groups: list[int | None] = [None] * len(names)
    for index in order:
        name = names[index]
        if not name:
            continue
        candidates: set[int] | None = None
        for token in set(name):
            near = set().union(*(founders_by_key.get(key, ()) for key in _token_keys(token)))
            candidates = near if candidates is None else candidates & near
            if not candidates:
                break
        matches = sorted(number for number in candidates or ()
                         if compatible(name, founders[number]))
        if not matches:
            founders.append(name)
            groups[index] = len(founders) - 1
            for token in name:
                for key in _token_keys(token):
                    founders_by_key[key].add(groups[index])
        elif len(matches) == 1:
            groups[index] = matches[0]
    return groups
