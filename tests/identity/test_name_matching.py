"""Names compared the way people write them (cdp/identity/names.py), on folded names as
the dbt models hand them over."""

import pytest

from cdp.identity.names import cluster_names, compatible

pytestmark = pytest.mark.unit


def words(name: str) -> tuple[str, ...]:
    return tuple(name.split())


@pytest.mark.parametrize(("left", "right"), [
    ("nguyen an", "nguyen van an"),  # middle name dropped
    ("an nguyen", "nguyen van an"),  # given name first
    ("nguyn van an", "nguyen van an"),  # a letter lost
    ("vu thanh hi", "vu thanh hai"),  # a letter lost from a three-letter word
    ("pan minh tien", "phan mih tien"),  # two typed variants of one name
])
def test_variants_of_one_name_are_compatible(left, right):
    assert compatible(words(left), words(right))


@pytest.mark.parametrize(("left", "right"), [
    ("nguyen thi lan", "tran thi lan"),  # another family
    ("nguyen thi hoa", "nguyen van hoa"),  # another middle name: another person
    ("nguyen van an", "nguyen van binh"),  # another given name
    ("le van binh", "le minh khoa"),
])
def test_different_people_are_not(left, right):
    assert not compatible(words(left), words(right))


def test_a_household_groups_into_its_people_and_an_ambiguous_name_into_none():
    names = ["nguyen van an", "van an nguyen", "nguyen thi an", "nguyen an", "tran thi binh",
             "tran binh"]
    groups = cluster_names([words(name) for name in names])
    an, an_reversed, sister, ambiguous, binh, binh_short = groups
    assert an == an_reversed and binh == binh_short
    assert len({an, sister, binh}) == 3
    # "Nguyễn An" fits both Nguyễn Văn An and Nguyễn Thị An: it cannot say whose it is.
    assert ambiguous is None
