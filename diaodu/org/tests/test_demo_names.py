"""The demo zone names each unit one way: no unit is called by two names (党政办公室 and 办公室),
and no two units are told apart only by a prefix (区督查室 and 督查室) — a person reading a list
of units never wonders whether two names are the same office."""

from diaodu.org.demo import PEOPLE, UNITS


def test_each_demo_unit_has_one_name_and_no_name_hides_inside_another():
    # what lists show: the short name, else the full name; both must identify one unit
    labels = {}
    for code, name, short, *_ in UNITS:
        for label in {name, short or name}:
            assert labels.setdefault(label, code) == code, f"“{label}”指两个单位"
    clashes = [
        (a, b) for a, ca in labels.items() for b, cb in labels.items() if ca != cb and b.endswith(a)
    ]
    assert not clashes, f"单位名称易混淆：{clashes}"


def test_every_demo_person_belongs_to_a_demo_unit():
    codes = {u[0] for u in UNITS}
    for username, *_rest, memberships in PEOPLE:
        for code, _position in memberships:
            assert code in codes, (username, code)
