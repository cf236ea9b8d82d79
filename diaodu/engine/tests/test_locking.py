import pytest

from diaodu.engine.cleaning import CleaningError
from diaodu.engine.locking import check_version, version_given


@pytest.mark.parametrize("value", [None, "", "  "])
def test_missing_version_is_refused(value):
    with pytest.raises(CleaningError) as exc:
        version_given(value, "周报")
    assert exc.value.field == "version" and "请提供周报的版本号" in exc.value.message


@pytest.mark.parametrize("value", ["abc", "1.5", 1.5, True, 0, -3, 2**40, "1e99", [1], {"v": 1}])
def test_bad_version_is_refused(value):
    with pytest.raises(CleaningError) as exc:
        version_given(value, "周报")
    assert exc.value.field == "version" and "版本号" in exc.value.message


def test_stale_and_current():
    assert version_given("３", "周报") == 3
    assert check_version(2, 2, "手续") == 2
    with pytest.raises(CleaningError) as exc:
        check_version("1", 2, "手续")
    assert "已被他人修改" in exc.value.message and "第 2 版" in exc.value.message
