"""The periodic-task lock: one holder at a time, renewed while its task works, gone soon after the
holder dies, and never released by a holder that lost it."""

import time

from django.core.cache import cache

from accounts.locks import lock_held, task_lock


def test_a_second_holder_is_refused_while_the_first_works():
    with task_lock("test:one", ttl=5) as first, task_lock("test:one", ttl=5) as second:
        assert (first, second) == (True, False)
    assert not lock_held("test:one")


def test_the_lock_is_renewed_while_its_task_runs_past_its_time_to_live():
    with task_lock("test:long", ttl=1) as held:
        assert held
        time.sleep(2.5)  # 2.5 times the time to live
        assert lock_held("test:long")
        with task_lock("test:long", ttl=1) as other:
            assert not other


def test_a_lock_whose_holder_died_lapses_within_its_time_to_live():
    cache.add("lock:test:dead", "a token of a killed worker", timeout=1)  # nobody renews it
    with task_lock("test:dead", ttl=1) as held:
        assert not held
    time.sleep(1.2)
    with task_lock("test:dead", ttl=1) as held:
        assert held


def test_a_holder_that_lost_its_lock_does_not_release_the_new_holders():
    with task_lock("test:lost", ttl=30) as held:
        assert held
        cache.set("lock:test:lost", "the new holder's token", timeout=30)
    assert cache.get("lock:test:lost") == "the new holder's token"
    cache.delete("lock:test:lost")
