"""What one API send costs the database: the workspace's rows read with the key, one opt-out
query, the broadcast inserted with its counts, no re-read of what was just written, no count of
rows whose state is known, the Idempotency-Key claimed in one statement. The behaviour each of
these could change is checked here too."""

import uuid

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import ApiLimits, GatewayConnection
from accounts.shared_cache import count_add, redis_client
from contacts.models import Contact
from messaging.models import Broadcast, Message
from messaging.services import compose

pytestmark = pytest.mark.django_db

SEND = {"to": ["+447700900601"], "text": "Your table is booked for 7pm."}


def _tables(queries: CaptureQueriesContext, word: str) -> list[str]:
    return [q["sql"] for q in queries if word in q["sql"]]


def test_a_single_send_is_a_few_queries(api, workspace, connected, django_assert_max_num_queries):
    api.post("send/", SEND, idempotency_key="warm")
    # 10 statements and the savepoints of the request's nested transactions (34 queries before)
    with django_assert_max_num_queries(18):
        answer = api.post("send/", {**SEND, "to": ["+447700900602"]}, idempotency_key="k1")
    assert answer.status_code == 201


def test_the_gateway_and_the_limits_come_with_the_key(api, workspace, connected):
    with CaptureQueriesContext(connection) as queries:
        answer = api.post("send/", SEND, idempotency_key="k1")
    assert answer.status_code == 201
    assert not _tables(queries, 'FROM "accounts_gatewayconnection"')
    assert not _tables(queries, 'FROM "accounts_apilimits"')
    assert not _tables(queries, 'SELECT "accounts_membership"')  # a subquery of the key's read
    assert len(_tables(queries, 'FROM "accounts_apikey"')) == 1
    assert not _tables(queries, 'FROM "contacts_customfieldnames"')  # no braces, no merge fields


def test_a_text_with_braces_still_reads_the_workspaces_merge_fields(api, workspace, connected):
    from contacts.models import CustomFieldNames

    CustomFieldNames.objects.create(workspace=workspace, label1="Table")
    contact = Contact.objects.create(workspace=workspace, number="+447700900601", field1="12")
    answer = api.post(
        "send/", {"contacts": [str(contact.public_id)], "text": "Your table: {table}"},
        idempotency_key="k1",
    )  # fmt: skip
    assert answer.status_code == 201, answer.content
    assert Message.objects.get().body == "Your table: 12"


def test_what_comes_with_the_key_is_current_and_only_for_its_request(api, workspace, connected):
    ApiLimits.objects.create(workspace=workspace, requests_per_second=1000, recipients_per_day=0)
    refused = api.post("send/", SEND, idempotency_key="k1")
    assert refused.status_code == 429  # the limits read with the key apply
    ApiLimits.objects.filter(workspace=workspace).update(recipients_per_day=10)
    GatewayConnection.objects.filter(workspace=workspace).update(balance=0)
    poor = api.post("send/", SEND, idempotency_key="k2")
    assert poor.status_code == 400 and "credits" in poor.json()["error"]["message"]
    # A workspace not read with a key (a page, a task) reads its rows afresh each time.
    GatewayConnection.objects.filter(workspace=workspace).update(balance=7)
    assert compose.cached_balance(workspace) == 7
    GatewayConnection.objects.filter(workspace=workspace).update(balance=8)
    assert compose.cached_balance(workspace) == 8


def test_the_answer_counts_what_a_read_would_without_counting(api, workspace, connected):
    Contact.objects.create(
        workspace=workspace, number="+447700900603", opted_out_at="2026-01-01T00:00Z"
    )
    body = {"to": ["+447700900601", "+447700900602", "+447700900603"], "text": "Hi"}
    with CaptureQueriesContext(connection) as queries:
        answer = api.post("send/", body, idempotency_key="k1")
    assert answer.status_code == 201
    assert not _tables(queries, 'COUNT("messaging_message"."id")')
    # not looked up by its idempotency key first (the unique index answers), nor read again after
    assert not _tables(queries, 'FROM "messaging_broadcast"')
    read = api.get(f"broadcasts/{answer.json()['id']}/").json()  # nothing dispatched yet
    assert answer.json()["counts"] == read["counts"]
    assert answer.json()["status"] == read["status"] == "queued"
    broadcast = Broadcast.objects.get(public_id=answer.json()["id"])
    assert broadcast.queued_at is not None and broadcast.estimated_credits == 2


def test_a_small_send_inserts_its_broadcast_with_its_counts(api, workspace, connected):
    with CaptureQueriesContext(connection) as queries:
        api.post("send/", {**SEND, "to": ["+447700900601", "+447700900602"]}, idempotency_key="k")
    assert not _tables(queries, 'UPDATE "messaging_broadcast" SET "recipient_count"')
    broadcast = Broadcast.objects.get()
    assert (broadcast.recipient_count, broadcast.estimated_credits) == (2, 2)
    assert broadcast.recipients_spec["recipients"] == 2


def test_a_send_of_many_batches_counts_them_all(api, workspace, connected, monkeypatch):
    monkeypatch.setattr(compose, "INSERT_BATCH", 3)
    Contact.objects.create(
        workspace=workspace, number="+447700900605", opted_out_at="2026-01-01T00:00Z"
    )
    numbers = [f"+44770090060{n}" for n in range(1, 8)]
    answer = api.post("send/", {"to": numbers, "text": "Hi"}, idempotency_key="k")
    assert answer.status_code == 201, answer.content
    broadcast = Broadcast.objects.get()
    assert (broadcast.recipient_count, broadcast.estimated_credits) == (7, 6)
    assert broadcast.recipients_spec["opted_out"] == 1
    assert Message.objects.filter(broadcast=broadcast).count() == 7
    assert answer.json()["counts"]["recipients"] == 7


def test_a_send_without_recipients_leaves_nothing(workspace, owner, connected):
    draft = compose.Draft(body="Hi", source="Acme")
    with pytest.raises(ValidationError):
        compose.broadcast_create(
            workspace=workspace, user=owner, draft=draft, idempotency_key=uuid.uuid4()
        )
    assert not Broadcast.objects.exists()


def test_the_key_is_claimed_in_one_statement(api, workspace, connected):
    with CaptureQueriesContext(connection) as queries:
        api.post("send/", SEND, idempotency_key="k1")
    [claim] = _tables(queries, 'INTO "accounts_idempotencyrecord"')
    assert "ON CONFLICT DO NOTHING" in claim
    sql = [q["sql"] for q in queries]
    assert not sql[sql.index(claim) + 1].startswith("RELEASE SAVEPOINT")  # not in one of its own


def test_a_count_keeps_the_time_to_live_it_was_made_with():
    client, key = redis_client(), cache.make_key("n")
    client.delete(key)
    assert count_add("n", 2, timeout=30) == 2
    assert count_add("n", 3, timeout=300) == 5
    assert 0 < client.ttl(key) <= 30 and cache.get("n") == 5
    cache.decr("n", 5)  # a refund, as recipients_charge makes
    assert cache.get("n") == 0
