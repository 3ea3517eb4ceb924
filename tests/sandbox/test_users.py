"""CreateUser and UpdateCredits: child users, and credits that never go below zero."""

from decimal import Decimal

import pytest

from sandbox.models import SandboxAccount

CHILD = {
    "ChildUsername": "kid",
    "ChildPassword": "s3cret-pass",
    "AccessLevel": "Normal",
    "FirstName": "Kim",
    "LastName": "Kidd",
    "Email": "kim@example.test",
    "Credits": "100",
}


def test_admin_creates_a_child_with_credits_from_its_own(admin_gateway):
    assert admin_gateway.call("CreateUser", **CHILD) == "1"
    child = SandboxAccount.objects.get(username="kid")
    assert (child.parent, child.credits) == (admin_gateway.account, Decimal(100))
    assert admin_gateway.credits() == "900"


def test_child_password_is_stored_hashed(admin_gateway):
    admin_gateway.call("CreateUser", **CHILD)
    assert "s3cret-pass" not in SandboxAccount.objects.get(username="kid").password


def test_credit_reminder_accepts_the_spaced_spelling(admin_gateway):
    admin_gateway.call("CreateUser", **CHILD, **{"Credit Reminder": "25"})
    assert SandboxAccount.objects.get(username="kid").credit_reminder == 25


def test_normal_user_cannot_create_users_508(gateway):
    assert gateway.call("CreateUser", **CHILD).split("\n")[0] == "-508"


def test_taken_username_answers_508_with_explanation(admin_gateway):
    admin_gateway.call("CreateUser", **CHILD)
    lines = admin_gateway.call("CreateUser", **CHILD).split("\n")
    assert lines[0] == "-508"
    assert "kid" in lines[-1]
    assert admin_gateway.credits() == "900"


def test_missing_details_answer_507_with_a_line_each_always(admin_gateway):
    params = {k: v for k, v in CHILD.items() if k not in ("Email", "FirstName")}
    lines = admin_gateway.call("CreateUser", **params).split("\n")
    assert lines[0] == "-507"
    assert {"Missing Email", "Missing FirstName"} <= set(lines[1:])


def test_invalid_access_level_answers_507(admin_gateway):
    assert admin_gateway.call("CreateUser", **{**CHILD, "AccessLevel": "God"}).startswith("-507")


def test_negative_starting_credits_answer_510(admin_gateway):
    assert admin_gateway.call("CreateUser", **{**CHILD, "Credits": "-5"}).startswith("-510")


def test_starting_credits_beyond_the_parents_answer_100(admin_gateway):
    answer = admin_gateway.call("CreateUser", **{**CHILD, "Credits": "1001"})
    assert answer.startswith("-100")
    assert not SandboxAccount.objects.filter(username="kid").exists()


@pytest.fixture
def child(admin_gateway, sandbox_account):
    return sandbox_account(username="kid", credits=10, parent=admin_gateway.account)


def test_positive_quantity_moves_credits_to_the_child(admin_gateway, child):
    assert admin_gateway.call("UpdateCredits", ChildUsername="kid", Quantity="5") == "1"
    child.refresh_from_db()
    assert (child.credits, admin_gateway.credits()) == (Decimal(15), "995")


def test_negative_quantity_moves_credits_back(admin_gateway, child):
    assert admin_gateway.call("UpdateCredits", ChildUsername="kid", Quantity="-4") == "1"
    child.refresh_from_db()
    assert (child.credits, admin_gateway.credits()) == (Decimal(6), "1004")


def test_taking_more_than_the_child_has_answers_510(admin_gateway, child):
    assert admin_gateway.call("UpdateCredits", ChildUsername="kid", Quantity="-11") == "-510"
    child.refresh_from_db()
    assert child.credits == Decimal(10)


def test_giving_more_than_the_parent_has_answers_510(admin_gateway, child):
    assert admin_gateway.call("UpdateCredits", ChildUsername="kid", Quantity="1001") == "-510"
    assert admin_gateway.credits() == "1000"


def test_unknown_child_answers_509(admin_gateway):
    assert admin_gateway.call("UpdateCredits", ChildUsername="ghost", Quantity="1") == "-509"


def test_someone_elses_child_answers_509(admin_gateway, sandbox_account):
    stranger = sandbox_account(admin=True)
    sandbox_account(username="theirs", parent=stranger)
    assert admin_gateway.call("UpdateCredits", ChildUsername="theirs", Quantity="1") == "-509"


def test_malformed_quantity_answers_507(admin_gateway, child):
    assert admin_gateway.call("UpdateCredits", ChildUsername="kid", Quantity="lots") == "-507"
