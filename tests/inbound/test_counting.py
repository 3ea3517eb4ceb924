"""What keeps the endpoint to about one round trip a text: batched rate counts and the drain
signal that a process gives at most every SIGNAL_EVERY_SECONDS."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from inbound.models import InboundMessage
from inbound.services import receive
from inbound.services.receive import DRAIN_FLAG, MinuteCounter, count_hit, processing_schedule

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 24, 12, 0, 5, tzinfo=UTC)


def shared(key: str, now: datetime = NOON) -> int:
    """The count other processes see: what has been added to the cache so far."""
    return count_hit("rate", key, now=now, hits=0)


def test_one_process_counts_exactly():
    counter = MinuteCounter("rate", batch=20, seconds=3600)
    assert [counter.hit("k", now=NOON) for _ in range(5)] == [1, 2, 3, 4, 5]


def test_counts_reach_the_cache_in_batches():
    counter = MinuteCounter("rate", batch=3, seconds=3600)
    counter.hit("k", now=NOON)  # a key's first request reads (and adds to) the shared count
    assert shared("k") == 1
    counter.hit("k", now=NOON)
    counter.hit("k", now=NOON)
    assert shared("k") == 1  # two requests waiting in this process
    counter.hit("k", now=NOON)
    assert shared("k") == 4  # the batch of three went in with one round trip


def test_a_process_first_request_sees_what_the_others_counted():
    first = MinuteCounter("rate", batch=3, seconds=3600)
    second = MinuteCounter("rate", batch=3, seconds=3600)
    assert first.hit("k", now=NOON) == 1
    assert second.hit("k", now=NOON) == 2


def test_processes_share_one_limit_and_overshoot_it_by_at_most_a_batch_each():
    processes = [MinuteCounter("rate", batch=3, seconds=3600) for _ in range(2)]
    limit = 10
    admitted = sum(processes[n % 2].hit("k", now=NOON) <= limit for n in range(40))
    assert limit <= admitted <= limit + 2 * 3  # without sharing, 2 x 10 would pass
    assert shared("k") > 40 - 2 * 3  # all but the last batches reached the cache


def test_a_quiet_key_is_added_at_once_after_seconds():
    counter = MinuteCounter("rate", batch=20, seconds=0)
    for expected in (1, 2, 3):
        assert counter.hit("k", now=NOON) == expected
        assert shared("k") == expected


def test_a_new_minute_starts_from_zero():
    counter = MinuteCounter("rate", batch=20, seconds=3600)
    for _ in range(4):
        counter.hit("k", now=NOON)
    later = NOON + timedelta(minutes=1)
    assert counter.hit("k", now=later) == 1
    assert shared("k", later) == 1


def test_with_the_cache_down_the_counter_raises_and_keeps_its_count(monkeypatch):
    counter = MinuteCounter("rate", batch=20, seconds=0)
    counter.hit("k", now=NOON)

    def down(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise ConnectionError("redis is down")

    monkeypatch.setattr(receive, "count_hit", down)
    with pytest.raises(ConnectionError):
        counter.hit("k", now=NOON)
    monkeypatch.undo()
    assert counter.hit("k", now=NOON) == 3  # the request counted while the cache was down


# -- the drain signal -----------------------------------------------------------------------


def test_within_the_window_a_text_does_not_look_at_the_flag():
    processing_schedule()
    assert cache.get(DRAIN_FLAG)  # a drain is queued (the test broker keeps it)
    cache.delete(DRAIN_FLAG)
    processing_schedule()
    assert cache.get(DRAIN_FLAG) is None  # counted on the queued drain's follow-up
    receive.signal_forget()  # as when SIGNAL_EVERY_SECONDS have passed
    processing_schedule()
    assert cache.get(DRAIN_FLAG)


def test_the_window_is_shorter_than_the_follow_up():
    """The proof in processing_schedule needs it."""
    assert receive.SIGNAL_EVERY_SECONDS < receive.FOLLOW_UP_SECONDS


def test_with_tasks_run_inline_every_text_is_processed(receive):
    """Inline tasks have no later follow-up, so no text may count on one."""
    for n in range(3):
        receive("Hello", id=f"e{n}")
    assert not InboundMessage.objects.filter(processed_at__isnull=True).exists()
    assert InboundMessage.objects.count() == 3
