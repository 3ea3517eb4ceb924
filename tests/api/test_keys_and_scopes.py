"""API keys: shown once, stored hashed, scoped, expiring, revocable, audited; one error shape."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiKey, AuditEvent, Membership
from accounts.models.api import hash_secret

pytestmark = pytest.mark.django_db


def test_an_admin_makes_a_key_that_is_shown_once_and_stored_hashed(client_for, workspace, owner):
    client = client_for(owner)
    url = f"/w/{workspace.slug}/settings/api/"
    made = {"name": "Booking system", "scopes": ["send", "read"], "expires": "30"}
    page = client.post(url, made, follow=True)
    assert page.redirect_chain == [(url, 302)]  # shown on a GET: a reload makes no second key
    key = ApiKey.objects.get(workspace=workspace)
    raw = page.context["new_key"]
    assert raw.startswith(key.prefix + "_") and raw in page.content.decode()
    assert key.secret_hash == hash_secret(raw) and raw not in str(key.__dict__)
    assert key.scopes == ["read", "send"]
    assert timedelta(days=29) < key.expires_at - timezone.now() <= timedelta(days=30)
    assert raw not in client.get(url).content.decode()  # never again
    assert raw not in str(dict(client.session))  # kept encrypted for that one page only
    event = AuditEvent.objects.get(action="api_key_created")
    assert event.workspace == workspace and event.detail["prefix"] == key.prefix
    assert raw not in str(event.detail)


def test_senders_and_viewers_cannot_see_the_keys_page(client_for, workspace, sender, viewer):
    for user in (sender, viewer):
        assert client_for(user).get(f"/w/{workspace.slug}/settings/api/").status_code == 403


def test_a_revoked_key_stops_at_once_and_the_revocation_is_audited(
    client_for, api, workspace, owner
):
    assert api.get("balance/").status_code == 200
    key = ApiKey.objects.get(workspace=workspace)
    client_for(owner).post(f"/w/{workspace.slug}/settings/api/keys/{key.public_id}/revoke/")
    answer = api.get("balance/")
    assert answer.status_code == 401
    assert answer.json() == {
        "error": {"code": "unauthenticated", "message": "This API key was revoked.", "field": None}
    }
    assert AuditEvent.objects.filter(
        action="api_key_revoked", object_id=str(key.public_id)
    ).exists()


def test_expired_unknown_and_malformed_keys_are_refused(api_for, workspace):
    expired = api_for(workspace, expires_at=timezone.now() - timedelta(seconds=1))
    assert expired.get("balance/").json()["error"]["message"] == "This API key has expired."
    wrong = expired.get("balance/", key=expired.raw_key[:-2] + "xx")
    assert (
        wrong.status_code == 401
        and wrong.json()["error"]["message"] == "This API key is not valid."
    )
    no_key = expired.client.get("/api/v1/balance/")
    assert no_key.status_code == 401 and no_key.json()["error"]["code"] == "unauthenticated"
    basic = expired.client.get("/api/v1/balance/", HTTP_AUTHORIZATION="Basic abc")
    assert basic.status_code == 401


def test_a_key_stops_when_its_maker_is_no_longer_an_admin(api_for, workspace, admin):
    api = api_for(workspace, by=admin)
    assert api.get("balance/").status_code == 200
    Membership.objects.filter(workspace=workspace, user=admin).update(role="sender")
    answer = api.get("balance/")
    assert answer.status_code == 401 and "no longer an admin" in answer.json()["error"]["message"]


def test_last_used_is_recorded(api, workspace):
    api.get("balance/")
    assert ApiKey.objects.get(workspace=workspace).last_used_at is not None


@pytest.mark.parametrize(
    ("scopes", "method", "path", "allowed"),
    [
        (["read"], "get", "messages/", True),
        (["read"], "get", "contacts/", True),
        (["read"], "post", "send/", False),
        (["read"], "post", "contacts/", False),
        (["send"], "get", "contacts/", False),
        (["send"], "post", "contacts/", False),
        (["contacts"], "post", "send/", False),
        (["contacts"], "get", "contacts/", True),
        (["contacts"], "get", "messages/", False),
    ],
)
def test_scopes_are_enforced(api_for, workspace, scopes, method, path, allowed):
    api = api_for(workspace, scopes=scopes)
    answer = api.call(method, path, {} if method == "post" else None)
    if allowed:
        assert answer.status_code == 200
    else:
        assert answer.status_code == 403
        assert answer.json()["error"]["code"] == "forbidden"


def test_validation_errors_name_the_field(api, workspace, connected):
    answer = api.post("send/", {"to": ["+447700900123"], "text": "Hi", "validity_seconds": "soon"})
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": "invalid_request", "message": "A valid integer is required.",
        "field": "validity_seconds",
    }  # fmt: skip
    bad = api.post("send/", {"to": ["+447700900123", "not a number"], "text": "Hi"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_number"
    assert bad.json()["error"]["field"] == "to[1]"
    unknown = api.get("broadcasts/00000000-0000-0000-0000-000000000000/")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
