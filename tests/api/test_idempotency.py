"""Idempotency-Key on every write (Stripe's semantics): the first answer is kept a day per key
and workspace and replayed to a retry; another body with the same key is refused; two requests
racing with one key run once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import IdempotencyRecord
from contacts.models import Contact
from messaging.models import Broadcast, Message

pytestmark = pytest.mark.django_db

SEND = {"to": ["+447700900601", "+447700900602"], "text": "Your table is booked for 7pm."}


def test_a_retry_replays_the_first_answer_and_sends_nothing_more(api, workspace, connected):
    first = api.post("send/", SEND, idempotency_key="booking-42")
    again = api.post("send/", SEND, idempotency_key="booking-42")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Broadcast.objects.filter(workspace=workspace).count() == 1
    assert Message.objects.filter(workspace=workspace).count() == 2


def test_the_same_key_with_another_body_is_422(api, workspace, connected):
    api.post("send/", SEND, idempotency_key="booking-42")
    other = api.post("send/", {**SEND, "text": "Changed"}, idempotency_key="booking-42")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    elsewhere = api.post("contacts/", {"number": "+447700900609"}, idempotency_key="booking-42")
    assert elsewhere.status_code == 422  # another endpoint is another request
    assert Broadcast.objects.filter(workspace=workspace).count() == 1


def test_keys_are_per_workspace(api, api_for, other_workspace, outsider, workspace, connected):
    theirs = api_for(other_workspace, by=outsider)
    api.post("contacts/", {"number": "+447700900601"}, idempotency_key="k1")
    answer = theirs.post("contacts/", {"number": "+447700900601"}, idempotency_key="k1")
    assert answer.status_code == 201 and "Idempotent-Replayed" not in answer
    assert Contact.objects.filter(number="+447700900601").count() == 2


def test_errors_are_kept_too_but_a_key_older_than_a_day_runs_again(api, workspace, connected):
    connected.balance = 0
    connected.save()
    refused = api.post("send/", SEND, idempotency_key="k2")
    assert refused.status_code == 400
    connected.balance = 1000
    connected.save()
    replay = api.post("send/", SEND, idempotency_key="k2")
    assert replay.status_code == 400 and replay["Idempotent-Replayed"] == "true"
    IdempotencyRecord.objects.filter(key="k2").update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    fresh = api.post("send/", SEND, idempotency_key="k2")
    assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh


def test_without_a_key_each_request_is_one_broadcast(api, workspace, connected):
    api.post("send/", SEND)
    api.post("send/", SEND)
    assert Broadcast.objects.filter(workspace=workspace).count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_a_too_long_key_is_refused(api, connected):
    answer = api.post("send/", SEND, idempotency_key="x" * 256)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_idempotency_key"


@pytest.mark.django_db(transaction=True)
def test_two_requests_racing_with_one_key_send_once(api_for, workspace, owner):
    """Real PostgreSQL, two threads, one key: one execution; the other waits for it and replays."""
    from accounts.models import GatewayConnection

    assert connection.vendor == "postgresql"
    GatewayConnection.objects.create(workspace=workspace, token="t" * 20, balance=1000)
    clients = [api_for(workspace), api_for(workspace)]
    start = threading.Barrier(len(clients))
    answers = []

    def run(client) -> None:  # noqa: ANN001
        start.wait()
        try:
            answers.append(client.post("send/", SEND, idempotency_key="race"))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(a.status_code for a in answers) == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert sorted("Idempotent-Replayed" in a for a in answers) == [False, True]
    assert Broadcast.objects.filter(workspace=workspace).count() == 1
    assert Message.objects.filter(workspace=workspace).count() == 2
