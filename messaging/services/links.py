"""Tracked short links: each URL of a recipient's text becomes `SITE_URL/l/<code>` (or
`SHORT_LINK_DOMAIN/l/<code>`), one code per recipient and link.

The redirect (`/l/<code>`) reads one row by its unique code (`link_for`, a prepared statement on
PostgreSQL) and answers at once; the visit is pushed onto a Redis list (one round trip, on a client
kept for the process) and written later, in batches, by `clicks_drain` (beat, every few seconds),
which also tells people from previews and bots: a HEAD request, a known preview or bot user agent,
or a repeat from the same address within a second is kept, but not counted as a click.
Without Redis (the embedded `make run`) the visit is written at once.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import string
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from accounts.models import WebhookEvent
from accounts.prepared import fetch_one_prepared
from accounts.shared_cache import redis_client
from accounts.webhooks import webhooks_emit

from ..models import LinkClick, LinkSettings, Message, TrackedLink

ALPHABET = string.ascii_letters + string.digits  # 62 symbols
CODE_LENGTH = 10  # 62**10 ≈ 8·10**17: not to be guessed
URL = re.compile(r"https?://[^\s<>\"'{}]+", re.IGNORECASE)
TRAILING = ".,;:!?)]'\""  # punctuation after a URL in a sentence is not part of it
QUEUE = "links:clicks"
DRAIN_BATCH = 5000
REPEAT_WITHIN = timedelta(seconds=1)
BOTS = re.compile(
    r"bot|crawl|spider|slurp|preview|facebookexternalhit|whatsapp|telegram|skype|discord|"
    r"slack|embedly|quora link|outbrain|pinterest|vkshare|w3c_validator|curl|wget|python-requests|"
    r"headless|lighthouse|monitor|scan",
    re.IGNORECASE,
)


def urls_in(body: str) -> list[str]:
    return [m.rstrip(TRAILING) for m in URL.findall(body)]


def has_links(body: str) -> bool:
    return bool(URL.search(body))


def base_url() -> str:
    return (getattr(settings, "SHORT_LINK_DOMAIN", "") or settings.SITE_URL).rstrip("/") + "/l/"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def _replace(body: str, make: callable) -> str:  # type: ignore[valid-type]
    def one(match: re.Match[str]) -> str:
        found = match.group(0)
        url = found.rstrip(TRAILING)
        return make(url) + found[len(url) :]

    return URL.sub(one, body)


def as_sent_example(body: str) -> str:
    """The text with every URL replaced by a short link of the real length (counter, review)."""
    return _replace(body, lambda url: base_url() + "x" * CODE_LENGTH)


def rewrite(body: str) -> tuple[str, list[tuple[str, str]]]:
    """The text with fresh short links, and the (code, url) pairs to store."""
    made: list[tuple[str, str]] = []

    def make(url: str) -> str:
        code = new_code()
        made.append((code, url))
        return base_url() + code

    return _replace(body, make), made


def expiry(workspace_id: int, now: datetime | None = None) -> datetime:
    found = LinkSettings.objects.filter(workspace_id=workspace_id).first()
    days = found.expire_days if found else 90
    return (now or timezone.now()) + timedelta(days=days)


def links_store(messages: Iterable[Message], pending: list[list[tuple[str, str]]]) -> None:
    """Write the links made for `messages` (saved, in the same order as `pending`)."""
    rows = []
    expires: dict[int, datetime] = {}  # one look at the workspace's rule, not one per recipient
    for message, links in zip(messages, pending, strict=True):
        for code, url in links:
            if message.workspace_id not in expires:
                expires[message.workspace_id] = expiry(message.workspace_id)
            rows.append(
                TrackedLink(
                    code=code,
                    workspace_id=message.workspace_id,
                    broadcast_id=message.broadcast_id,
                    message_id=message.pk,
                    url=url,
                    expires_at=expires[message.workspace_id],
                )
            )
    TrackedLink.objects.bulk_create(rows, batch_size=2000)


# -- the redirect's side ---------------------------------------------------------------------


def visitor_of(address: str) -> str:
    """The address hashed with the secret key: repeats are told apart, the address is not kept."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


_LINK_SQL: dict[str, str] = {}


def link_for(code: str) -> tuple[int, str, datetime] | None:
    """(id, url, expires_at) of the link with this code, or None: one read by the unique index,
    prepared on PostgreSQL (planned once per connection, no queryset built per visit)."""
    if connection.vendor != "postgresql":
        rows = TrackedLink.objects.filter(code=code).values_list("pk", "url", "expires_at")[:1]
        return next(iter(rows), None)
    sql = _LINK_SQL.get(connection.alias)
    if sql is None:
        quote, meta = connection.ops.quote_name, TrackedLink._meta
        columns = ", ".join(
            quote(meta.get_field(name).column) for name in ("id", "url", "expires_at")
        )
        code_column = quote(meta.get_field("code").column)
        sql = _LINK_SQL[connection.alias] = (
            f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {code_column} = %s"  # noqa: S608
        )
    return fetch_one_prepared(sql, [code], connection)


def _redis():  # noqa: ANN202
    return redis_client()  # made once per process, not one per visit


def click_record(link_id: int, *, address: str, user_agent: str, head: bool) -> None:
    """Note a visit without waiting for the database (Redis), or write it at once."""
    hit = {
        "link": link_id,
        "at": timezone.now().timestamp(),
        "visitor": visitor_of(address),
        "agent": user_agent[:200],
        "head": head,
    }
    redis = _redis()
    if redis is not None:
        redis.rpush(QUEUE, json.dumps(hit))
    else:
        clicks_write([hit])


def clicks_drain(limit: int = DRAIN_BATCH) -> int:
    """Write the visits waiting in Redis, a batch at a time. Returns how many."""
    redis = _redis()
    if redis is None:
        return 0
    done = 0
    while raw := redis.lrange(QUEUE, 0, limit - 1):
        # Written first, then taken off the list: a drain that dies in between leaves the batch
        # for the next one (one drain runs at a time, under the task's lock), so no visit is lost;
        # at worst that one batch is written twice.
        clicks_write([json.loads(item) for item in raw])
        redis.ltrim(QUEUE, len(raw), -1)
        done += len(raw)
    return done


def _why_not(hit: dict) -> str:
    if hit["head"]:
        return "head"
    if not hit["agent"] or BOTS.search(hit["agent"]):
        return "bot"
    return ""


@transaction.atomic
def clicks_write(hits: list[dict]) -> None:
    """Store visits; count the clicks of people (see the module's note) on their links."""
    hits.sort(key=lambda h: h["at"])
    ids = {h["link"] for h in hits}
    links = {
        link.pk: link for link in TrackedLink.objects.select_related("message").filter(pk__in=ids)
    }
    earliest = datetime.fromtimestamp(hits[0]["at"], tz=UTC) - REPEAT_WITHIN
    last_seen: dict[tuple[int, str], datetime] = {}
    for link_id, visitor, at in LinkClick.objects.filter(
        link_id__in=ids, at__gte=earliest, counted=True
    ).values_list("link_id", "visitor", "at"):
        key = (link_id, visitor)
        last_seen[key] = max(at, last_seen.get(key, at))
    rows, counted = [], []
    for hit in hits:
        link = links.get(hit["link"])
        if link is None:  # erased since
            continue
        at = datetime.fromtimestamp(hit["at"], tz=UTC)
        reason = _why_not(hit)
        key = (link.pk, hit["visitor"])
        if not reason and key in last_seen and at - last_seen[key] < REPEAT_WITHIN:
            reason = "repeat"
        if not reason:
            last_seen[key] = at
            counted.append((link, at))
        rows.append(
            LinkClick(
                link=link,
                at=at,
                counted=not reason,
                reason=reason,
                visitor=hit["visitor"],
                user_agent=hit["agent"],
            )
        )
    LinkClick.objects.bulk_create(rows, batch_size=2000)
    per_link: dict[int, list[datetime]] = {}
    for link, at in counted:
        per_link.setdefault(link.pk, []).append(at)
    others: dict[int, int] = {}
    for row in rows:
        if not row.counted:
            others[row.link_id] = others.get(row.link_id, 0) + 1
    for link_id in set(per_link) | set(others):
        times = per_link.get(link_id, [])
        fields: dict = {
            "clicks": F("clicks") + len(times),
            "other_hits": F("other_hits") + others.get(link_id, 0),
        }
        if times:
            fields["last_clicked_at"] = max(times)
        TrackedLink.objects.filter(pk=link_id).update(**fields)
        if times:
            TrackedLink.objects.filter(pk=link_id, first_clicked_at=None).update(
                first_clicked_at=min(times)
            )
    _clicked_events(counted)


def _clicked_events(counted: list[tuple[TrackedLink, datetime]]) -> None:
    by_workspace: dict[int, list[tuple[dict, str]]] = {}
    for link, at in counted:
        data = {
            "message": str(link.message.public_id),
            "to": link.message.destination,
            "url": link.url,
            "at": at.isoformat().replace("+00:00", "Z"),
        }
        by_workspace.setdefault(link.workspace_id, []).append((data, str(link.message.public_id)))
    for workspace_id, items in by_workspace.items():
        webhooks_emit(workspace_id, WebhookEvent.MESSAGE_LINK_CLICKED, items)


# -- what the pages show ---------------------------------------------------------------------


def broadcast_clicks(broadcast_id: int) -> dict:
    """Clicks (by people), the recipients who clicked, and the click rate of a broadcast."""
    figures = TrackedLink.objects.filter(broadcast_id=broadcast_id).aggregate(
        total=Sum("clicks"),
        people=Count("message", filter=Q(clicks__gt=0), distinct=True),
        reached=Count("message", distinct=True),
    )
    recipients, clickers = figures["reached"], figures["people"]
    return {"clicks": figures["total"] or 0, "clickers": clickers, "recipients": recipients,
            "rate": clickers / recipients if recipients else 0}  # fmt: skip


def clickers(broadcast_id: int, limit: int = 50) -> list[Message]:
    ids = TrackedLink.objects.filter(broadcast_id=broadcast_id, clicks__gt=0).values("message_id")
    return list(
        Message.objects.filter(pk__in=ids)
        .select_related("contact")
        .annotate(clicks=Count("links__hits", filter=Q(links__hits__counted=True)))
        .order_by("-clicks", "destination")[:limit]
    )


def clicks_over_time(broadcast_id: int) -> list[tuple[str, int]]:
    """Clicks per hour (the first 48 hours after the first one), for the chart."""
    from django.db.models.functions import TruncHour

    rows = (
        LinkClick.objects.filter(link__broadcast_id=broadcast_id, counted=True)
        .annotate(hour=TruncHour("at"))
        .values("hour")
        .annotate(n=Count("id"))
        .order_by("hour")
    )
    return [(row["hour"].isoformat(), row["n"]) for row in rows[:48]]


def follow_up_recipients(broadcast_id: int, clicked: bool) -> tuple[list[int], list[str]]:
    """Who of a tracked broadcast's recipients clicked (or did not): (contact ids, other numbers).
    Recipients who were never sent to (skipped, cancelled) are not among those who did not click."""
    sent = Message.objects.filter(broadcast_id=broadcast_id).exclude(
        state__in=["skipped", "cancelled", "queued"]
    )
    clicked_ids = TrackedLink.objects.filter(broadcast_id=broadcast_id, clicks__gt=0).values(
        "message_id"
    )
    rows = sent.filter(pk__in=clicked_ids) if clicked else sent.exclude(pk__in=clicked_ids)
    contact_ids, numbers = [], []
    for contact_id, destination in rows.values_list("contact_id", "destination").order_by("pk"):
        if contact_id:
            contact_ids.append(contact_id)
        else:
            numbers.append(destination)
    return contact_ids, numbers
