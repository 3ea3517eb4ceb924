"""How long ago something happened, in words: "just now", "1 minute ago", "2 hours ago"."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

register = template.Library()

# Django's timesince says "0 minutes" for anything under a minute (and for a time a little in
# the future, as a clock slightly ahead of ours gives).
JUST_NOW_SECONDS = 60


@register.filter
def ago(moment: datetime | None) -> str:
    """`moment` as an age in words, for "checked …" and "fetched …" notes."""
    if moment is None:
        return ""
    if (timezone.now() - moment).total_seconds() < JUST_NOW_SECONDS:
        return _("just now")
    return _("%(age)s ago") % {"age": timesince(moment)}
