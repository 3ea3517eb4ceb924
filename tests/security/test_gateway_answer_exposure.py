"""A gateway that answers something unexpected (an error page, a proxy's markup, a stack trace) must
not have that text shown to the workspace's users: they read that the answer was unexpected, and the
operator finds the sample in the log."""

import logging

import pytest
from django.urls import reverse

from accounts.models import GatewayConnection
from accounts.services.gateway import gateway_check
from tests.textconnect.scripted_server import Step, running

pytestmark = pytest.mark.django_db

LEAK = "Traceback: db password=hunter2 at internal-host-7"


@pytest.mark.parametrize("body", [f"<html><body>{LEAK}</body></html>", f"Unexpected: {LEAK}"])
def test_an_unexpected_answer_is_not_shown_to_the_workspace(
    workspace, owner, client_for, settings, caplog, body
):
    with running() as server:
        server.default = Step(body)
        settings.TEXTCONNECT_ALLOWED_API_URLS = [server.url]
        GatewayConnection.objects.create(workspace=workspace, token="t0ken", api_url=server.url)
        with caplog.at_level(logging.WARNING):
            gateway_check(workspace=workspace)
    connection = GatewayConnection.objects.get(workspace=workspace)
    assert connection.check_error == "The gateway gave an unexpected answer."
    page = client_for(owner).get(reverse("accounts_ws:gateway", kwargs={"slug": workspace.slug}))
    assert LEAK not in page.content.decode()
    assert "unexpected answer" in page.content.decode()
    assert any("hunter2" in record.getMessage() for record in caplog.records)  # for the operator
