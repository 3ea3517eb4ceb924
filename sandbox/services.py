"""Accounts, credits and the address book of the emulated gateway."""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F

from .errors import ApiError
from .models import ADMIN, NORMAL, Contact, Faults, Group, Message, SandboxAccount, VirtualNumber
from .rules import normalize_number

_ITERATIONS = 10_000


def password_hash(password: str) -> str:
    """A salted PBKDF2 hash; cheap on purpose, as tests create many accounts."""
    salt = secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), _ITERATIONS).hex()
    return f"pbkdf2_sha256${_ITERATIONS}${salt}${digest}"


def format_credits(value: Decimal) -> str:
    """`1000`, `1234.5`: no trailing zeros, as CheckCredits answers."""
    text = f"{value.quantize(Decimal('0.01')):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def account_create(
    username: str,
    *,
    credits: Decimal | int,
    admin: bool = False,
    vmn: str | None = None,
    forward_url: str | None = None,
    forward_method: str = "POST",
    forward_auth: str = "",
    parent: SandboxAccount | None = None,
    password: str = "",
) -> SandboxAccount:
    """Create an account (and its VMN when given); `account.token` is the plaintext token."""
    with transaction.atomic():
        account = SandboxAccount.objects.create(
            username=username,
            password=password_hash(password) if password else "",
            credits=Decimal(credits),
            access_level=ADMIN if admin else NORMAL,
            parent=parent,
        )
        Faults.objects.create(account=account)
        if vmn:
            vmn_add(
                account,
                vmn,
                forward_url=forward_url or "",
                forward_method=forward_method,
                forward_auth=forward_auth,
            )
    return account


class VmnTaken(ValueError):
    """The number is a VMN of an account already."""


def vmn_add(
    account: SandboxAccount,
    number: str,
    *,
    forward_url: str = "",
    forward_method: str = "POST",
    forward_auth: str = "",
) -> VirtualNumber:
    """Give the account a VMN: texts to it are forwarded to `forward_url` (none when blank)."""
    number = normalize_number(number) or number
    try:
        with transaction.atomic():
            return VirtualNumber.objects.create(
                account=account,
                number=number,
                forward_url=forward_url,
                forward_method=forward_method.upper(),
                forward_auth=forward_auth,
            )
    except IntegrityError:
        raise VmnTaken(f"{number} is a VMN already") from None


# The VMNs handed out on request: numbers of the UK's range for drama and tests (07700 900xxx),
# past the endings 000-009 that choose a destination's fate.
VMN_RANGE = range(447700900100, 447700901000)


def vmn_free_number() -> str:
    """A number of VMN_RANGE that no account has as a VMN yet."""
    taken = set(
        VirtualNumber.objects.filter(number__startswith="4477009").values_list("number", flat=True)
    )
    for candidate in VMN_RANGE:
        if str(candidate) not in taken:
            return str(candidate)
    raise VmnTaken("every number of the sandbox's VMN range is taken")


def account_delete(account: SandboxAccount) -> None:
    """Remove an account with its messages, address book and VMNs."""
    account.delete()


def authenticate(token: str) -> SandboxAccount:
    if not token.strip():
        raise ApiError(-501, "Token is missing")
    account = SandboxAccount.objects.select_related("faults").filter(token=token.strip()).first()
    if account is None:
        raise ApiError(-501)
    if account.suspended:
        raise ApiError(-512)
    return account


def message_status(account: SandboxAccount, raw_id: str) -> str:
    raw_id = raw_id.strip()
    message = None
    if raw_id.isdigit() and len(raw_id) < 19:
        message = Message.objects.filter(account=account, pk=int(raw_id)).first()
    if message is None:
        raise ApiError(-503)
    return message.status


def parse_credits(raw: str, field: str) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise ApiError(-507, f"{field} must be a number") from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")) or abs(value) >= 10**11:
        raise ApiError(-507, f"{field} must be a number with at most two decimals")
    return value


CREATE_USER_FIELDS = (
    "ChildUsername",
    "ChildPassword",
    "AccessLevel",
    "FirstName",
    "LastName",
    "Email",
    "Credits",
)


def create_user(parent: SandboxAccount, params: dict[str, str]) -> SandboxAccount:
    """CreateUser: a child of an admin account, its starting credits taken from the parent."""
    if not parent.is_admin:
        raise ApiError(-508, "Only an admin user can create users")
    missing = [f"Missing {name}" for name in CREATE_USER_FIELDS if not params.get(name, "").strip()]
    if missing:
        raise ApiError(-507, *missing)
    level = {"normal": NORMAL, "admin": ADMIN}.get(params["AccessLevel"].strip().lower())
    if level is None:
        raise ApiError(-507, "AccessLevel must be Normal or Admin")
    if "@" not in params["Email"]:
        raise ApiError(-507, "Invalid Email")
    amount = parse_credits(params["Credits"], "Credits")
    if amount < 0:
        raise ApiError(-510, "Credits cannot be negative")
    reminder = _optional_int(params, "CreditReminder", "Credit Reminder")
    alert = _optional_int(params, "Alert")
    username = params["ChildUsername"].strip()
    try:
        with transaction.atomic():
            if amount and not SandboxAccount.objects.filter(
                pk=parent.pk, credits__gte=amount
            ).update(credits=F("credits") - amount):
                raise ApiError(-100, "Not enough credits to give the new user")
            child = SandboxAccount.objects.create(
                username=username,
                password=password_hash(params["ChildPassword"]),
                credits=amount,
                access_level=level,
                parent=parent,
                first_name=params["FirstName"].strip()[:100],
                last_name=params["LastName"].strip()[:100],
                email=params["Email"].strip()[:254],
                telephone=params.get("Telephone", "").strip()[:30],
                credit_reminder=reminder,
                inactivity_alert_days=alert,
            )
            Faults.objects.create(account=child)
    except IntegrityError:
        raise ApiError(-508, f"Username {username} is already taken") from None
    return child


def _optional_int(params: dict[str, str], *names: str) -> int | None:
    for name in names:
        raw = params.get(name, "").strip()
        if raw:
            if not raw.isdigit() or len(raw) > 9:
                raise ApiError(-507, f"{name} must be a whole number")
            return int(raw)
    return None


def update_credits(parent: SandboxAccount, params: dict[str, str]) -> None:
    """UpdateCredits: move credits to (positive) or from (negative) a child; neither side may go
    below zero."""
    child = SandboxAccount.objects.filter(
        parent=parent, username=params.get("ChildUsername", "").strip()
    ).first()
    if child is None:
        raise ApiError(-509)
    if not params.get("Quantity", "").strip():
        raise ApiError(-507, "Missing Quantity")
    quantity = parse_credits(params["Quantity"], "Quantity")
    with transaction.atomic():
        locked = {
            a.pk: a
            for a in SandboxAccount.objects.select_for_update()
            .filter(pk__in=[parent.pk, child.pk])
            .order_by("pk")
        }
        if locked[parent.pk].credits - quantity < 0 or locked[child.pk].credits + quantity < 0:
            raise ApiError(-510)
        SandboxAccount.objects.filter(pk=parent.pk).update(credits=F("credits") - quantity)
        SandboxAccount.objects.filter(pk=child.pk).update(credits=F("credits") + quantity)


def delete_all_contacts(account: SandboxAccount) -> None:
    Contact.objects.filter(account=account).delete()


def delete_all_groups(account: SandboxAccount) -> None:
    Group.objects.filter(account=account).delete()


def _group(account: SandboxAccount, params: dict[str, str]) -> Group:
    group = Group.objects.filter(account=account, name=params.get("Group", "")).first()
    if group is None:
        raise ApiError(-520)
    return group


def empty_group(account: SandboxAccount, params: dict[str, str]) -> None:
    _group(account, params).contacts.clear()


def delete_group(account: SandboxAccount, params: dict[str, str]) -> None:
    _group(account, params).delete()
