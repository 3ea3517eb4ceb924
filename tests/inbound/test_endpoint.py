"""The forwarding endpoint: what it stores, what it refuses, and how it answers."""

import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEvent
from inbound import endpoint
from inbound.models import InboundMessage, VirtualNumber
from inbound.services.receive import parse_received
from inbound.services.setup import vmn_rotate_auth

from .conftest import LONDON, SENDER, endpoint_url, params

pytestmark = pytest.mark.django_db


def test_it_stores_a_posted_text(forward, workspace):
    response = forward("post")
    assert response.status_code == 200
    assert response.content == b"OK\n"
    message = InboundMessage.objects.get()
    assert (message.workspace, message.gateway_id, message.source) == (workspace, "1001", SENDER)
    assert message.body == "Hello there"
    assert message.dest == "+447700900500"


def test_it_stores_a_text_sent_by_get(forward):
    assert forward("get", msg="By GET").status_code == 200
    assert InboundMessage.objects.get().body == "By GET"


def test_received_time_is_read_in_uk_local_time():
    summer = datetime(2026, 7, 1, 11, 30, tzinfo=UTC)  # British Summer Time: UTC+1
    received = parse_received("2026-07-01 12:00:00", now=summer)
    assert received == datetime(2026, 7, 1, 11, 0, tzinfo=UTC)


def test_the_gateways_time_is_stored(forward):
    moment = timezone.now().replace(microsecond=0) - timedelta(hours=30)
    forward(receivedts=moment.astimezone(LONDON).strftime("%Y-%m-%d %H:%M:%S"))
    assert InboundMessage.objects.get().received_at == moment


def test_a_time_more_than_two_days_away_is_the_time_of_receipt():
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert parse_received("2026-12-05 11:59:00", now=now) == datetime(
        2026, 12, 5, 11, 59, tzinfo=UTC
    )
    assert parse_received("2026-12-05 12:01:00", now=now) == now
    assert parse_received("2026-12-01 11:59:00", now=now) == now


def test_a_replayed_id_is_stored_once(forward):
    assert forward().status_code == 200
    again = forward()
    assert again.status_code == 200
    assert again.content == b"OK duplicate\n"
    assert InboundMessage.objects.count() == 1


def test_an_id_seen_before_with_another_body_is_a_conflict(forward):
    forward(msg="First")
    response = forward(msg="Second")
    assert response.status_code == 409
    assert InboundMessage.objects.get().body == "First"


def test_mail_merge_fields_are_kept(forward):
    forward(MMName="Ann Example", MMEmail="ann@example.com", MM1="Gold", MM5="x")
    message = InboundMessage.objects.get()
    assert (message.mm_name, message.mm_email, message.mm1, message.mm5) == (
        "Ann Example", "ann@example.com", "Gold", "x",
    )  # fmt: skip
    assert "auth" not in message.raw
    assert message.raw["MM1"] == "Gold"


def test_a_body_that_is_not_utf8_is_read_as_windows_1252(vmn):
    query = "&".join(f"{k}={v}" for k, v in params(vmn, msg="Caf%E9 %80").items())
    response = Client().post(
        endpoint_url(vmn), query, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    message = InboundMessage.objects.get()
    assert message.body == "Café €"
    assert message.raw["_charset"] == "cp1252"


def test_nul_characters_are_dropped(forward):
    assert forward(msg="a\x00b").status_code == 200
    assert InboundMessage.objects.get().body == "ab"


def test_wrong_auth_is_403_and_recorded(forward):
    response = forward(auth="guess")
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()
    event = AuditEvent.objects.get(action="inbound_auth_failed")
    assert "guess" not in str(event.detail)


def test_missing_auth_is_403(forward):
    assert forward(auth=None).status_code == 403


def test_an_unknown_key_is_404(vmn):
    response = Client().post("/inbound/not-a-key/", params(vmn))
    assert response.status_code == 404


def test_other_methods_are_405(vmn):
    assert Client().put(endpoint_url(vmn)).status_code == 405


@pytest.mark.parametrize("missing", ["source", "dest", "msg", "id", "receivedts"])
def test_a_missing_parameter_is_400(forward, missing):
    response = forward(**{missing: None})
    assert response.status_code == 400
    assert missing in response.content.decode()
    assert not InboundMessage.objects.exists()


def test_a_received_time_in_the_wrong_format_is_400(forward):
    response = forward(receivedts="24/11/2026 10:15")
    assert response.status_code == 400
    assert b"receivedts" in response.content


def test_a_dest_that_is_not_a_vmn_of_the_workspace_is_400(forward):
    assert forward(dest="447700900999").status_code == 400


def test_a_text_to_another_vmn_of_the_workspace_is_accepted(forward, workspace):
    VirtualNumber.objects.create(workspace=workspace, number="+447700900501")
    assert forward(dest="447700900501").status_code == 200
    assert InboundMessage.objects.get().dest == "+447700900501"


def test_a_one_megabyte_msg_is_413(forward):
    response = forward(msg="x" * 1_000_000)
    assert response.status_code == 413
    assert not InboundMessage.objects.exists()


def test_a_long_but_possible_text_is_stored(forward):
    assert forward(msg="y" * 1600).status_code == 200


def test_an_alphanumeric_sender_is_kept(forward):
    forward(source="MyBank")
    assert InboundMessage.objects.get().source == "MyBank"


def test_the_old_auth_works_during_the_grace_period_only(forward, vmn):
    old = vmn.auth
    vmn_rotate_auth(request=None, vmn=vmn)
    assert forward(auth=old, id="1").status_code == 200
    assert forward(auth=vmn.auth, id="2").status_code == 200
    VirtualNumber.objects.filter(pk=vmn.pk).update(
        previous_auth_until=timezone.now() - timedelta(seconds=1)
    )
    endpoint._vmns.clear()  # the servers' two-second memory of the VMN has passed
    assert forward(auth=old, id="3").status_code == 403
    assert AuditEvent.objects.filter(action="inbound_auth_rotated").count() == 1


def test_valid_requests_are_rate_limited_per_key(forward, settings):
    settings.INBOUND_RATE_PER_MINUTE = 3
    codes = [forward(id=str(n)).status_code for n in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_a_burst_of_wrong_auth_is_refused_counted_and_audited_once(forward, vmn, caplog):
    caplog.set_level(logging.DEBUG)
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        codes = [forward(auth=f"wrong-{n}", id=str(n)).status_code for n in range(10_000)]
    seconds = time.monotonic() - started
    # A look-up a second, not one a request (however long a loaded machine takes for the burst).
    assert len(queries) <= 40 + 2 * seconds
    assert set(codes) == {403, 429}
    assert codes[:60] == [403] * 60
    minutes = 1 + int(seconds // 60) + 1  # the minutes the burst touched
    assert codes.count(403) <= 60 * minutes  # 60 a minute
    assert not InboundMessage.objects.exists()
    assert 1 <= AuditEvent.objects.filter(action="inbound_auth_failed").count() <= 2
    assert forward(id="ok").status_code == 200  # the gateway itself still gets through
    assert vmn.auth not in caplog.text
    assert "Forbidden" not in caplog.text  # refusals are counted, not logged one by one


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_insert_is_one_statement_and_still_once(forward, vmn):
    """The endpoint's own path (autocommit): INSERT ... ON CONFLICT DO NOTHING RETURNING id."""
    assert forward(MM1="Gold").content == b"OK\n"
    assert forward(MM1="Gold").content == b"OK duplicate\n"
    assert forward(msg="Another text").status_code == 409
    message = InboundMessage.objects.get()
    assert message.stored_at is not None and message.raw["MM1"] == "Gold"
    assert (message.vmn, message.mm1, message.body) == (vmn, "Gold", "Hello there")


@pytest.mark.django_db(transaction=True)
def test_the_insert_is_prepared_once_and_nothing_else_is(forward):
    with CaptureQueriesContext(connection) as queries:
        for n in range(3):
            assert forward(id=str(n)).status_code == 200
    assert sum("INSERT INTO" in q["sql"] for q in queries.captured_queries) == 3  # logged
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert len(prepared) == 1 and prepared[0].startswith('INSERT INTO "inbound_inboundmessage"')
    assert connection.connection.prepare_threshold is None  # Django's own queries: as before


@pytest.mark.django_db(transaction=True)
def test_a_session_that_lost_the_prepared_insert_prepares_it_again(forward):
    assert forward(id="1").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # as a pooler's reset would
    assert forward(id="2").status_code == 200
    assert forward(id="3").status_code == 200
    assert sorted(InboundMessage.objects.values_list("gateway_id", flat=True)) == ["1", "2", "3"]


def test_with_the_cache_down_a_text_is_still_stored(
    forward, monkeypatch, django_capture_on_commit_callbacks
):
    from inbound.services import receive

    def down(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise ConnectionError("redis is down")

    monkeypatch.setattr(receive, "count_hit", down)
    monkeypatch.setattr(endpoint, "count_hit", down)
    monkeypatch.setattr(receive, "_flag_set", down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert forward().status_code == 200
    assert len(callbacks) == 1  # processing could not be queued: the sweep queues it later
    assert InboundMessage.objects.count() == 1
    assert forward(auth="wrong", id="2").status_code == 403
