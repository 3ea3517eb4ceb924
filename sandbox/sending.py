"""Send: validation, credits, per-destination results and the deterministic delivery lifecycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from textconnect.errors import ERROR_TEXTS
from textconnect.limits import BACKGROUND_SEND_THRESHOLD, MAX_BODY_CHARS, MAX_VALIDITY_SECONDS
from textconnect.segments import credits_needed, credits_per_part, segments

from .errors import ApiError
from .models import (
    COMMAND_FAILED,
    COMMAND_REJECTED,
    DELIVERED,
    EXPIRED,
    FAILED,
    UNDELIVERABLE,
    UNKNOWN,
    BackgroundSend,
    DistributionList,
    Group,
    Message,
    SandboxAccount,
)
from .rules import check_source, london_midnight, normalize_number, parse_api_datetime

# Outcome by the destination's last three digits; None means it stays Sent for ever.
OUTCOMES: dict[str, str | None] = {
    "000": UNDELIVERABLE,
    "001": EXPIRED,
    "002": FAILED,
    "003": None,
    "004": COMMAND_REJECTED,
    "005": COMMAND_FAILED,
    "006": UNKNOWN,
}
BLACKLISTED_SUFFIX = "009"
NO_ROUTE_SUFFIX = "008"
MAX_DESTINATIONS = 10_000
MAX_RUNNING_BACKGROUND_SENDS = 3
STALE_CLAIM = timedelta(seconds=60)


def magic_endings() -> list[tuple[str, str, str]]:
    """(ending, answer at send time, final status) of every test number, as the pages list them."""
    rows = [
        (end, "accepted", outcome or "stays Sent for ever") for end, outcome in OUTCOMES.items()
    ]
    for end, code in ((NO_ROUTE_SUFFIX, -406), (BLACKLISTED_SUFFIX, -412)):
        rows.append((end, f"{code} {ERROR_TEXTS[code]}", "—"))
    return [*rows, ("anything else", "accepted", DELIVERED)]


def daily_limit() -> int:
    return int(getattr(settings, "SANDBOX_DAILY_LIMIT_PER_NUMBER", 1000))


def delivery_seconds() -> float:
    return float(getattr(settings, "SANDBOX_DELIVERY_SECONDS", 3.0))


@dataclass(frozen=True)
class SendOptions:
    source: str
    source_ton: int | None
    body: str
    scheduled_at: datetime | None
    validity: int
    all_ids: bool = False
    bg_id: bool = False


def parse_send_options(params: dict[str, str]) -> SendOptions:
    """Call-level checks of Send, in the order the codes are answered."""
    source = params.get("SourceAddress", "")
    source_ton = check_source(source, params.get("SourceTON", "").strip())
    body = params.get("Body", "")
    if not body.strip():
        raise ApiError(-404, "Body is blank")
    if len(body) > MAX_BODY_CHARS:
        raise ApiError(-519, f"Body longer than {MAX_BODY_CHARS} characters")
    scheduled_at = None
    if params.get("ScheduleDate", "").strip():
        scheduled_at = parse_api_datetime(params["ScheduleDate"])
        if scheduled_at is None:
            # Only the format and the date's reality are checked: the vendor sets no horizon.
            raise ApiError(-407, "ScheduleDate must be YYYYMMDDHHMMSS")
    raw_validity = params.get("ValidityPeriod", "").strip()
    validity = MAX_VALIDITY_SECONDS
    if raw_validity:
        if not raw_validity.isdigit() or not 1 <= int(raw_validity) <= MAX_VALIDITY_SECONDS:
            raise ApiError(-405, f"ValidityPeriod must be 1 to {MAX_VALIDITY_SECONDS} seconds")
        validity = int(raw_validity)
    return SendOptions(
        source=source,
        source_ton=source_ton,
        body=body,
        scheduled_at=scheduled_at,
        validity=validity,
        all_ids=params.get("GetAllMessageIDs", "").strip() == "1",
        bg_id=params.get("GetBGSendID", "").strip() == "1",
    )


def timeline(
    start: datetime, number: str, validity: int, seconds: float
) -> tuple[datetime | None, datetime | None, str]:
    """(sent_at, final_at, final_status) of a message to `number` that starts at `start`."""
    outcome = OUTCOMES.get(number[-3:], DELIVERED)
    sent_at = start + timedelta(seconds=seconds / 3)
    if outcome is None:
        return sent_at, None, ""
    final_at = start + timedelta(seconds=seconds)
    if seconds > validity:
        # Validity runs out before the handset answers.
        final_at = start + timedelta(seconds=validity)
        return (sent_at if sent_at < final_at else None), final_at, EXPIRED
    return sent_at, final_at, outcome


def _today_counts(account: SandboxAccount, numbers: set[str]) -> dict[str, int]:
    if not numbers:
        return {}
    rows = (
        Message.objects.filter(
            account=account,
            part=1,
            destination__in=numbers,
            submitted_at__gte=london_midnight(timezone.now()),
        )
        .values("destination")
        .annotate(n=Count("id"))
    )
    return {row["destination"]: row["n"] for row in rows}


def check_destinations(account: SandboxAccount, raws: list[str]) -> list[str | int]:
    """Each destination's international number, or the code that refuses it."""
    normalized = [normalize_number(raw) for raw in raws]
    counts = _today_counts(account, {n for n in normalized if n})
    limit = daily_limit()
    results: list[str | int] = []
    for number in normalized:
        if number is None:
            results.append(-401)
        elif number.endswith(BLACKLISTED_SUFFIX):
            results.append(-412)
        elif number.endswith(NO_ROUTE_SUFFIX):
            results.append(-406)
        elif counts.get(number, 0) >= limit:
            results.append(-411)
        else:
            counts[number] = counts.get(number, 0) + 1
            results.append(number)
    return results


def _charge(account: SandboxAccount, amount: Decimal) -> bool:
    """Take `amount` credits if the balance covers it, atomically."""
    if amount <= 0:
        return True
    return bool(
        SandboxAccount.objects.filter(pk=account.pk, credits__gte=amount).update(
            credits=F("credits") - amount
        )
    )


def _build_messages(
    account: SandboxAccount,
    numbers: list[str],
    options: SendOptions,
    bg_send: BackgroundSend | None = None,
) -> list[list[Message]]:
    now = timezone.now()
    start = max(options.scheduled_at, now) if options.scheduled_at else now
    info = segments(options.body)
    seconds = delivery_seconds()
    batches = []
    for number in numbers:
        sent_at, final_at, final_status = timeline(start, number, options.validity, seconds)
        per_part = Decimal(credits_per_part(number))
        batches.append(
            [
                Message(
                    account=account,
                    bg_send=bg_send,
                    destination=number,
                    source=options.source,
                    source_ton=options.source_ton,
                    body=options.body,
                    encoding=info.encoding[:5],
                    part=part,
                    parts=info.parts,
                    credits=per_part,
                    submitted_at=now,
                    scheduled_at=options.scheduled_at,
                    validity_seconds=options.validity,
                    sent_at=sent_at,
                    final_at=final_at,
                    final_status=final_status,
                )
                for part in range(1, info.parts + 1)
            ]
        )
    return batches


def cost(body: str, numbers: list[str]) -> Decimal:
    """What a send costs: the shared rule of `textconnect.segments`, as a balance amount."""
    return Decimal(credits_needed(body, numbers))


def send_to_numbers(account: SandboxAccount, raw: str, options: SendOptions) -> list[str]:
    """Send to comma-separated numbers; one ID (or all part IDs) or code per destination."""
    raws = raw.split(",")
    if len(raws) > MAX_DESTINATIONS:
        raise ApiError(-401, f"More than {MAX_DESTINATIONS} destinations in one call")
    checked = check_destinations(account, raws)
    numbers = [n for n in checked if isinstance(n, str)]
    with transaction.atomic():
        if not _charge(account, cost(options.body, numbers)):
            return [str(-100 if isinstance(n, str) else n) for n in checked]
        batches = _build_messages(account, numbers, options)
        Message.objects.bulk_create([m for batch in batches for m in batch], batch_size=500)
    answers: list[str] = []
    by_number = iter(batches)
    for item in checked:
        if isinstance(item, int):
            answers.append(str(item))
            continue
        batch = next(by_number)
        ids = [str(m.pk) for m in batch]
        answers.extend(ids if options.all_ids else ids[:1])
    return answers


def _entries(account: SandboxAccount, kind: str, name: str) -> list[str]:
    if kind == "List":
        if not name.strip():
            raise ApiError(-410, "ListName is blank")
        dist_list = DistributionList.objects.filter(account=account, name=name).first()
        if dist_list is None:
            raise ApiError(-516, f"No list named {name}")
        numbers = list(dist_list.entries.values_list("number", flat=True))
        if not numbers:
            raise ApiError(-408)
        return numbers
    if not name.strip():
        raise ApiError(-414, "GroupName is blank")
    group = Group.objects.filter(account=account, name=name).first()
    if group is None:
        raise ApiError(-520, f"No group named {name}")
    numbers = list(group.contacts.values_list("number", flat=True))
    if not numbers:
        raise ApiError(-409)
    return numbers


def _options_payload(options: SendOptions) -> dict:
    return {
        "source": options.source,
        "source_ton": options.source_ton,
        "body": options.body,
        "scheduled_at": options.scheduled_at.isoformat() if options.scheduled_at else None,
        "validity": options.validity,
    }


def _options_from_payload(payload: dict) -> SendOptions:
    scheduled = payload.get("scheduled_at")
    return SendOptions(
        source=payload["source"],
        source_ton=payload["source_ton"],
        body=payload["body"],
        scheduled_at=datetime.fromisoformat(scheduled) if scheduled else None,
        validity=payload["validity"],
    )


@dataclass(frozen=True)
class CollectionSend:
    """A list or group send: its background-send record and how many entries were refused."""

    bg_send: BackgroundSend
    entries: int
    refused: int


def send_to_collection(
    account: SandboxAccount, kind: str, name: str, options: SendOptions
) -> CollectionSend:
    """Send to a list or group. Refused entries are skipped, the others sent; credits are taken
    now; entries over the threshold are sent by a background thread."""
    raws = _entries(account, kind, name)
    running = BackgroundSend.objects.filter(
        account=account,
        finished_at__isnull=True,
        created_at__gte=timezone.now() - timedelta(minutes=10),
    ).count()
    if running >= MAX_RUNNING_BACKGROUND_SENDS:
        raise ApiError(-517, f"{running} background sends still running")
    numbers = [n for n in check_destinations(account, raws) if isinstance(n, str)]
    background = len(raws) > BACKGROUND_SEND_THRESHOLD
    with transaction.atomic():
        if not _charge(account, cost(options.body, numbers)):
            raise ApiError(-100)
        bg_send = BackgroundSend.objects.create(
            account=account,
            kind=kind,
            target=name,
            total=len(numbers),
            payload={"numbers": numbers, **_options_payload(options)} if background else {},
            finished_at=None if background else timezone.now(),
        )
        if not background:
            batches = _build_messages(account, numbers, options, bg_send)
            Message.objects.bulk_create([m for b in batches for m in b], batch_size=500)
    if background:
        from . import workers

        transaction.on_commit(lambda: workers.submit(run_background_send, bg_send.pk))
    return CollectionSend(bg_send, entries=len(raws), refused=len(raws) - len(numbers))


def run_background_send(bg_id: int) -> None:
    """Create the messages of a background send; safe to call twice (claims the row)."""
    now = timezone.now()
    claimed = (
        BackgroundSend.objects.filter(pk=bg_id, finished_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + STALE_CLAIM)
    )
    if not claimed:
        return
    bg_send = BackgroundSend.objects.select_related("account").get(pk=bg_id)
    options = _options_from_payload(bg_send.payload)
    with transaction.atomic():
        batches = _build_messages(bg_send.account, bg_send.payload["numbers"], options, bg_send)
        Message.objects.bulk_create([m for b in batches for m in b], batch_size=500)
        BackgroundSend.objects.filter(pk=bg_id).update(finished_at=timezone.now(), payload={})


def due_background_sends() -> list[int]:
    return list(
        BackgroundSend.objects.filter(finished_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=timezone.now()))
        .values_list("pk", flat=True)[:20]
    )


def background_messages(account: SandboxAccount, raw_id: str) -> list[dict[str, str]]:
    """GetBGMessages: the first part of each message of a background send."""
    bg_send = None
    if raw_id.strip().isdigit():
        bg_send = BackgroundSend.objects.filter(account=account, pk=int(raw_id)).first()
    if bg_send is None:
        raise ApiError(-521)
    if bg_send.finished_at is None:
        raise ApiError(-522)
    now = timezone.now()
    rows = [
        {"MessageID": str(m.pk), "Destination": m.destination, "Status": m.status_at(now)}
        for m in bg_send.messages.filter(part=1).order_by("pk")
    ]
    if not rows:
        raise ApiError(-523)
    return rows
