"""Limits per key: requests a second and recipients a day, set per workspace by the operator."""

import pytest
from django.core.cache import cache

from accounts.models import ApiLimits
from messaging.models import Broadcast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters() -> None:
    cache.clear()


def test_requests_over_the_limit_get_429_with_retry_after(api, workspace, monkeypatch):
    ApiLimits.objects.create(workspace=workspace, requests_per_second=3)
    monkeypatch.setattr("accounts.api.base.time.time", lambda: 1_000_000.5)  # one window
    answers = [api.get("balance/") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert answers[0]["RateLimit-Limit"] == "3"
    limited = answers[-1]
    assert limited["Retry-After"] == "1" and limited.json()["error"]["code"] == "rate_limited"
    monkeypatch.setattr("accounts.api.base.time.time", lambda: 1_000_001.5)  # the next second
    assert api.get("balance/").status_code == 200


def test_each_key_has_its_own_window(api_for, workspace, monkeypatch):
    ApiLimits.objects.create(workspace=workspace, requests_per_second=1)
    monkeypatch.setattr("accounts.api.base.time.time", lambda: 2_000_000.0)
    one, two = api_for(workspace), api_for(workspace)
    assert one.get("balance/").status_code == 200
    assert one.get("balance/").status_code == 429
    assert two.get("balance/").status_code == 200


def test_recipients_a_day(api, workspace, connected):
    ApiLimits.objects.create(workspace=workspace, recipients_per_day=3)
    ok = api.post("send/", {"to": ["+447700900601", "+447700900602"], "text": "Hi"})
    assert ok.status_code == 201
    over = api.post("send/", {"to": ["+447700900603", "+447700900604"], "text": "Hi"})
    assert over.status_code == 429 and over.json()["error"]["code"] == "recipient_limit_reached"
    assert 0 < int(over["Retry-After"]) <= 86400
    assert Broadcast.objects.filter(workspace=workspace).count() == 1  # nothing half-made
    assert api.post("send/", {"to": ["+447700900605"], "text": "Hi"}).status_code == 201


def test_a_refused_send_does_not_use_up_the_day(api, workspace, connected):
    ApiLimits.objects.create(workspace=workspace, recipients_per_day=2)
    connected.balance = 0
    connected.save()
    assert (
        api.post("send/", {"to": ["+447700900601", "+447700900602"], "text": "Hi"}).status_code
        == 400
    )
    connected.balance = 1000
    connected.save()
    assert (
        api.post("send/", {"to": ["+447700900601", "+447700900602"], "text": "Hi"}).status_code
        == 201
    )
