"""The sandbox pages render, create accounts, text in and set faults."""

import pytest
from django.test import Client
from django.urls import reverse

from sandbox import workers
from sandbox.faults import set_faults
from sandbox.models import Faults, InboundMessage, SandboxAccount, VirtualNumber
from sandbox.services import vmn_free_number


@pytest.fixture
def account(sandbox_account):
    return sandbox_account(username="demo", vmn="447700900555")


@pytest.mark.parametrize(
    "name", ["sandbox:messages", "sandbox:book", "sandbox:inbound", "sandbox:faults"]
)
def test_account_pages_render(staff_client: Client, account, name):
    assert staff_client.get(reverse(name, args=[account.pk])).status_code == 200


def test_accounts_page_shows_each_token(staff_client: Client, account):
    assert account.token in staff_client.get(reverse("sandbox:accounts")).text


def test_accounts_page_creates_an_account(staff_client: Client, transactional_db):
    staff_client.post(
        reverse("sandbox:accounts"), {"username": "new", "credits": "5", "forward_method": "POST"}
    )
    assert SandboxAccount.objects.get(username="new").credits == 5


def test_text_in_form_receives_a_message(staff_client: Client, account):
    url = reverse("sandbox:inbound", args=[account.pk])
    staff_client.post(url, {"vmn": "447700900555", "sender": "447700900100", "text": "Hello"})
    workers.wait_idle(5)
    assert InboundMessage.objects.get().body == "Hello"


def test_faults_form_saves_and_clears(staff_client: Client, account):
    url = reverse("sandbox:faults", args=[account.pk])
    staff_client.post(
        url,
        {
            "latency_before": "0",
            "latency_after": "0",
            "http_500_rate": "0.5",
            "drop_before_rate": "0",
            "drop_after_rate": "0",
            "db_error_rate": "0",
        },
    )
    assert Faults.objects.get(account=account).http_500_rate == 0.5
    staff_client.post(url, {"clear": "1"})
    assert not Faults.objects.get(account=account).active


FAULTS = {"latency_before": "0", "latency_after": "0", "http_500_rate": "0",
          "drop_before_rate": "0", "drop_after_rate": "0", "db_error_rate": "0"}  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "argument"),
    [("http_500_rate", "1.5", "http_500_rate"), ("latency_after", "-1", "latency_after"),
     ("calls_remaining", "-3", "calls")],
)  # fmt: skip
def test_the_faults_form_refuses_what_set_faults_refuses(
    staff_client: Client, account, field, value, argument
):
    url = reverse("sandbox:faults", args=[account.pk])
    page = staff_client.post(url, {**FAULTS, field: value})
    assert page.status_code == 200 and page.context["form"].errors[field]
    assert not Faults.objects.get(account=account).active
    with pytest.raises(ValueError, match=field):
        set_faults(account, **{argument: float(value)})


def test_handsets_poll_answers_only_the_partial(staff_client: Client, account):
    url = reverse("sandbox:messages", args=[account.pk])
    page = staff_client.get(url, headers={"HX-Request": "true"}).text
    assert page.lstrip().startswith('<section id="handsets"')
    assert "<html" not in page


def test_pages_use_no_inline_styles_or_scripts(staff_client: Client, account):
    page = staff_client.get(reverse("sandbox:messages", args=[account.pk])).text
    assert "style=" not in page
    assert "<script>" not in page
    assert "hx-on" not in page


def test_accounts_page_lists_every_test_number(staff_client: Client, account):
    page = staff_client.get(reverse("sandbox:accounts")).text
    for ending, status in (
        ("004", "Command_Rejected"),
        ("005", "Command_Failed"),
        ("006", "Unknown"),
    ):
        assert f"<tr><td><code>{ending}</code></td><td>accepted</td><td>{status}</td></tr>" in page


def _add_vmn(client: Client, account, number="447700900777", **fields):  # noqa: ANN001, ANN003
    data = {"add_vmn": "1", "number": number, "forward_method": "POST", **fields}
    return client.post(reverse("sandbox:inbound", args=[account.pk]), data)


def test_the_account_page_adds_a_vmn_that_receives_texts(staff_client: Client, account):
    _add_vmn(
        staff_client,
        account,
        number="+44 7700 900777",
        forward_url="http://127.0.0.1:9/inbound/x/",
        forward_auth="secret-1",
    )
    vmn = VirtualNumber.objects.get(number="447700900777")
    assert (vmn.account, vmn.forward_url, vmn.forward_auth) == (
        account,
        "http://127.0.0.1:9/inbound/x/",
        "secret-1",
    )
    url = reverse("sandbox:inbound", args=[account.pk])
    staff_client.post(url, {"vmn": "447700900777", "sender": "447700900100", "text": "Hi"})
    workers.wait_idle(5)
    assert InboundMessage.objects.get().vmn == vmn


def test_a_vmn_of_another_account_is_refused_on_the_form(
    staff_client: Client, account, sandbox_account
):
    sandbox_account(username="other", vmn="447700900777")
    response = _add_vmn(staff_client, account)
    assert "belongs to an account already" in response.text
    assert not account.vmns.filter(number="447700900777").exists()


def test_a_vmn_must_be_a_handset_number(staff_client: Client, account):
    response = _add_vmn(staff_client, account, number="12ab")
    assert "10 to 15 digits" in response.text
    assert account.vmns.count() == 1


def test_a_free_vmn_number_is_one_no_account_has(sandbox_account):
    sandbox_account(vmn="447700900100")
    assert vmn_free_number() == "447700900101"
