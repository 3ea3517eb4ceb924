from django.db import migrations, models
from django.db.models import Count, Q


def bucket(state, gateway_status):
    if state == "failed":
        return {"Undeliverable": "undeliverable", "Expired": "expired"}.get(gateway_status, "failed")
    if state in ("queued", "submitting", "submitted"):
        return "pending"
    return state


def recount(apps, schema_editor):
    Broadcast = apps.get_model("messaging", "Broadcast")
    Message = apps.get_model("messaging", "Message")
    names = ["delivered", "failed", "undeliverable", "expired", "skipped", "cancelled",
             "pending", "unknown", "sent"]
    for broadcast_id in Broadcast.objects.values_list("pk", flat=True).iterator():
        counts = dict.fromkeys(names, 0)
        groups = (
            Message.objects.filter(broadcast_id=broadcast_id)
            .order_by()
            .values_list("state", "gateway_status")
            .annotate(n=Count("id"), accepted=Count("id", filter=~Q(gateway_id="")))
        )
        for state, word, n, accepted in groups:
            counts[bucket(state, word)] += n
            counts["sent"] += accepted
        Broadcast.objects.filter(pk=broadcast_id).update(
            **{f"{name}_count": value for name, value in counts.items()}
        )


class Migration(migrations.Migration):
    dependencies = [("messaging", "0002_dispatch_runs")]

    operations = [
        migrations.RenameField("broadcast", "submitted_count", "sent_count"),
        migrations.AddField(
            "broadcast", "undeliverable_count", models.PositiveIntegerField(default=0)
        ),
        migrations.AddField("broadcast", "expired_count", models.PositiveIntegerField(default=0)),
        migrations.AddField("broadcast", "pending_count", models.PositiveIntegerField(default=0)),
        migrations.AddField("broadcast", "unknown_count", models.PositiveIntegerField(default=0)),
        migrations.RunPython(recount, migrations.RunPython.noop),
    ]
