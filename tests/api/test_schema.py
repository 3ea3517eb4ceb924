"""The OpenAPI 3.1 schema is valid, served with its reference page, and the running app keeps to it:
fuzzed with schemathesis over real HTTP, no answer is a 5xx and every answer matches the schema."""

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import checks

from accounts.models import ApiKey, ApiLimits, GatewayConnection
from contacts.models import Contact, Group

pytestmark = pytest.mark.django_db(transaction=True)

# What the schema promises: no server error, and every status, content type, header and body as
# documented. (Whether a schema-valid body is accepted is not among them: a number can be a string
# of the right shape and still not be a phone number.)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


def test_the_schema_and_the_reference_page_are_served(live_server):
    schema = requests.get(f"{live_server.url}/api/v1/schema/?format=json", timeout=10).json()
    assert schema["openapi"].startswith("3.1")
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {
        "send",
        "broadcasts_cancel",
        "messages_list",
        "contacts_bulk_upsert",
        "groups_members_add",
        "opt_outs_add",
        "inbound_list",
        "balance_get",
    } <= operations
    send = schema["paths"]["/api/v1/send/"]["post"]
    assert {"201", "400", "401", "403", "422", "429"} <= set(send["responses"])
    page = requests.get(f"{live_server.url}/api/v1/docs/", timeout=10)
    assert page.status_code == 200 and "redoc" in page.text.lower()
    assert "cdn" not in page.text.lower() and "googleapis" not in page.text  # all from the portal
    assert '<html lang="en-GB">' in page.text
    asset = next(part.split('"')[0] for part in page.text.split('src="')[1:] if "redoc" in part)
    assert requests.get(live_server.url + asset, timeout=10).status_code == 200


def test_fuzzed_requests_get_no_5xx_and_answers_match_the_schema(
    live_server, workspace, owner, outsider
):
    GatewayConnection.objects.create(workspace=workspace, token="t" * 20, balance=10**6)
    ApiLimits.objects.create(workspace=workspace, requests_per_second=10_000)
    Contact.objects.create(workspace=workspace, number="+447700900601")
    Group.objects.create(workspace=workspace, name="Club")
    _key, raw = ApiKey.issue(
        workspace=workspace, name="fuzz", created_by=owner, scopes=["send", "contacts", "read"]
    )
    headers = {"Authorization": f"Bearer {raw}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case) -> None:  # noqa: ANN001
            response = case.call(base_url=live_server.url, headers=headers)
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: 5xx"
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # noqa: BLE001 - collect every operation's first failure
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
