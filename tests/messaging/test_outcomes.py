"""Every broadcast's figures add up to its recipients, one bucket each, and "sent" means accepted by
the gateway: on the broadcast page, the list, the dashboard and the CSV alike."""

import csv
import io
from collections import Counter

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from messaging.services import dispatch, tracking
from messaging.services.outcomes import BUCKETS, Outcomes, bucket, outcomes_count
from reporting.dashboard import dashboard_figures

from .conftest import uk

# What can become of a recipient: (state, the gateway's last word, whether it gave an ID).
FATES = [
    ("queued", "", False),
    ("submitting", "", False),
    ("submitted", "Pending", True),
    ("submitted", "Sent", True),
    ("delivered", "Delivered", True),
    ("failed", "", False),  # refused at the call (-412, -406, -100 ...)
    ("failed", "Failed", True),
    ("failed", "Undeliverable", True),
    ("failed", "Expired", True),
    ("failed", "Command_Rejected", True),
    ("skipped", "", False),
    ("cancelled", "", False),
    ("unknown", "", False),
]


@given(st.lists(st.sampled_from(FATES), max_size=300))
def test_the_buckets_add_up_to_the_recipients_and_sent_means_accepted(fates):
    groups = Counter((state, word) for state, word, _ in fates)
    accepted = Counter((state, word) for state, word, has_id in fates if has_id)
    outcomes = Outcomes.tally((s, w, n, accepted[(s, w)]) for (s, w), n in groups.items())
    assert outcomes.recipients == len(fates)
    assert outcomes.sent == sum(has_id for _, _, has_id in fates)
    assert sum(count for _, _, count in outcomes.rows()) == len(fates)
    assert all(getattr(outcomes, name) >= 0 for name in BUCKETS)
    assert {bucket(s, w) for s, w, _ in fates} <= set(BUCKETS)


pytestmark_db = pytest.mark.django_db(transaction=True)


@pytestmark_db
def test_a_mixed_send_counts_every_recipient_once_everywhere(
    gateway, compose, workspace, client_for, viewer
):
    """The first-week case: 7 recipients, 2 refused at the call (-412, -406), one reported Failed
    and one Undeliverable later, 3 delivered: 5 were sent."""
    numbers = [uk(9), uk(8), uk(2), uk(0), uk(121), uk(122), uk(123)]
    broadcast = compose(numbers)
    dispatch.broadcast_dispatch(broadcast_id=broadcast.pk)
    tracking.track_workspace(workspace=workspace, now=timezone.now() + tracking.BACKOFF[0])
    broadcast.refresh_from_db()
    outcomes = Outcomes.of(broadcast)
    assert outcomes == outcomes_count(broadcast)
    assert (outcomes.sent, outcomes.delivered, outcomes.failed, outcomes.undeliverable) == (
        5, 3, 3, 1
    )  # fmt: skip
    assert outcomes.recipients == broadcast.recipient_count == 7
    assert dashboard_figures(workspace, None).sent_today == 5
    page = client_for(viewer).get(f"/w/{workspace.slug}/messages/broadcasts/{broadcast.public_id}/")
    html = page.content.decode()
    assert "<strong>5</strong> of 7 recipients accepted by the gateway" in html
    assert "Blacklisted" in html or "-412" in html
    export = client_for(viewer).get(f"/w/{workspace.slug}/messages/broadcasts/export.csv")
    row = next(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert (row["recipients"], row["sent"], row["delivered"], row["undeliverable"]) == (
        "7", "5", "3", "1"
    )  # fmt: skip
    assert sum(int(row[name]) for name in BUCKETS) == 7


@pytestmark_db
def test_a_cancelled_broadcast_has_nothing_left_pending(gateway, compose, owner):
    from messaging.services.schedule import broadcast_cancel

    class Request:
        META: dict = {}
        session: dict = {}

    request = Request()
    request.user = owner
    broadcast = compose([uk(130), uk(131)])
    broadcast_cancel(broadcast=broadcast, request=request)
    broadcast.refresh_from_db()
    outcomes = Outcomes.of(broadcast)
    assert (outcomes.cancelled, outcomes.pending) == (2, 0)
    assert broadcast.status == "cancelled"
