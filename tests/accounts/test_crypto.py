import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from accounts import crypto
from accounts.models import AuditEvent, GatewayConnection

from ..factories import WorkspaceFactory

pytestmark = pytest.mark.django_db

TOKEN = "tok-1234567890-secret-ABCD"


def stored_token(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM accounts_gatewayconnection WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_token_is_encrypted_at_rest_and_read_back_in_clear():
    gateway = GatewayConnection.objects.create(workspace=WorkspaceFactory(), token=TOKEN)
    assert TOKEN not in stored_token(gateway.pk)
    assert GatewayConnection.objects.get(pk=gateway.pk).token == TOKEN
    assert gateway.token_last4 == "ABCD"


def test_repr_and_str_show_only_the_last_four_characters():
    gateway = GatewayConnection.objects.create(workspace=WorkspaceFactory(), token=TOKEN)
    assert TOKEN not in repr(gateway) and TOKEN not in str(gateway)
    assert "ABCD" in str(gateway)


def test_rotation_re_encrypts_with_the_newest_key(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    gateway = GatewayConnection.objects.create(workspace=WorkspaceFactory(), token=TOKEN)
    before = stored_token(gateway.pk)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_encryption_keys", verbosity=0)
    after = stored_token(gateway.pk)
    assert after != before
    assert Fernet(new_key.encode()).decrypt(after.encode()).decode() == TOKEN
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key can now be retired
    assert GatewayConnection.objects.get(pk=gateway.pk).token == TOKEN
    assert AuditEvent.objects.filter(action="encryption_keys_rotated").exists()


def test_a_value_from_an_unknown_key_fails_clearly(settings):
    gateway = GatewayConnection.objects.create(workspace=WorkspaceFactory(), token=TOKEN)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ValueError, match="no configured key"):
        GatewayConnection.objects.get(pk=gateway.pk)


def test_encrypt_never_returns_the_plaintext():
    assert crypto.encrypt("hello") != "hello"
    assert crypto.decrypt(crypto.encrypt("hello")) == "hello"


def test_audit_events_are_append_only():
    event = AuditEvent.objects.create(action="login")
    event.action = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
