"""The one clock: real time by default, frozen per context for demo replay, pinned for tests."""

import datetime as dt
import threading

from django.utils import timezone

from diaodu import clock


def test_real_time_by_default():
    before = timezone.now()
    assert before <= clock.now() <= timezone.now()
    assert clock.today() == timezone.localdate()
    assert clock.wall_now() >= before


def test_frozen_is_local_to_the_block_and_the_context():
    at = timezone.make_aware(dt.datetime(2026, 3, 5, 23, 30))
    seen = {}
    with clock.frozen(at):
        assert clock.now() == at
        assert clock.today() == dt.date(2026, 3, 5)
        assert clock.localtime().hour == 23
        assert clock.wall_now() > at  # the audit's time is never replayed
        t = threading.Thread(target=lambda: seen.setdefault("other", clock.today()))
        t.start()
        t.join()
        with clock.frozen(dt.date(2025, 1, 2)):
            assert clock.today() == dt.date(2025, 1, 2)
            assert clock.localtime().hour == 12
        assert clock.now() == at
    assert seen["other"] == timezone.localdate()  # another thread keeps the real day
    assert clock.today() == timezone.localdate()


def test_pinned_reaches_other_threads_and_frozen_wins_over_it(pinned_clock):
    assert clock.today() == dt.date(2026, 11, 18)
    pinned_clock.set(2026, 12, 1, 9, 0)
    seen = {}
    t = threading.Thread(target=lambda: seen.setdefault("day", clock.today()))
    t.start()
    t.join()
    assert seen["day"] == dt.date(2026, 12, 1)
    with clock.frozen(dt.date(2020, 5, 6)):
        assert clock.today() == dt.date(2020, 5, 6)
    assert pinned_clock.today() == dt.date(2026, 12, 1)


def test_set_pinned_needs_a_pin():
    import pytest

    with pytest.raises(RuntimeError):
        clock.set_pinned(dt.date(2026, 1, 1))
