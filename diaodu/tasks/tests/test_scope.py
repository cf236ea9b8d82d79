"""Who sees which task, for every demo account (every built-in role): a unit sees what it leads,
supports and split off; the 督查室 its zone; a leader the tasks they answer for."""

import pytest
from django.http import Http404

from diaodu.tasks import queries, services

T1, T2, T3, T4, T5 = "规划", "发改", "物流园", "子任务", "招商"
EXPECTED = {
    "duchashi": {T1, T2, T3, T4, T5},
    "quzhang": {T1, T2, T3, T4, T5},
    "fuzhuren": {T1, T2, T3, T4, T5},
    "wl_zhuren": {T3},
    "zb_zhuren": {T3},  # the responsible leader of T3
    "gx_zhuren": set(),
    "zhaoshang": {T5},
    "ziranziyuan": {T1},
    "zhengshou": {T1},  # supports T1
    "fagai": {T2, T4},  # and the sub-task it split off
    "zhujian": {T4},
    "mishu_wl": set(),
    "mishu_zb": set(),
    "sysadmin": set(),
    "secadmin": set(),
    "auditor": set(),
}


@pytest.fixture
def five(make_task, person, demo):
    t1 = make_task(T1, lead="QHKFQ-ZR", support=["QHKFQ-ZSB"])
    t2 = make_task(T2, lead="QHKFQ-FG")
    t3 = make_task(T3, lead="QHKFQ-WL", leader=person("zb_zhuren"))
    t4 = services.split_task(person("fagai"), t2, {"title": T4, "lead_unit": demo["QHKFQ-ZJ"]})
    t5 = make_task(T5, lead="QHKFQ-ZS")
    return {t.title: t for t in (t1, t2, t3, t4, t5)}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_each_account_sees_exactly_its_tasks(five, person, username):
    user = person(username)
    assert set(queries.visible(user).values_list("title", flat=True)) == EXPECTED[username]
    for title, task in five.items():
        if title in EXPECTED[username]:
            assert queries.get_task(user, task.pk) == task
        else:
            with pytest.raises(Http404):
                queries.get_task(user, task.pk)


def test_every_builtin_role_is_in_the_matrix(demo):
    from diaodu.org.builtin import BUILTIN_ROLES
    from diaodu.org.demo import PEOPLE

    covered = {r for username, _, _, roles, _ in PEOPLE if username in EXPECTED for r in roles}
    assert {code for code, *_ in BUILTIN_ROLES} <= covered


def test_a_leader_named_in_the_row_sees_the_task(make_task, person):
    t = make_task("领导包保的任务", lead="QHKFQ-SM", leader_name="赵立新同志")
    assert t.leader == person("zb_zhuren")
    from diaodu.tasks import queries

    assert list(queries.visible(person("zb_zhuren")).values_list("title", flat=True)) == [
        "领导包保的任务"
    ]
