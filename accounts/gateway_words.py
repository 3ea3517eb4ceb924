"""Gateway errors in people's words: the advice table of textconnect (what happened and what
to do, translated), with the gateway's code small beside it. Every page and message that shows a
gateway error goes through here."""

import re

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from textconnect import ERROR_TEXTS
from textconnect.advice import advice_for

# "-100: Not Enough Credits", as kept in notes and check results.
_CODE_AND_TEXT = re.compile(r"^\s*(-\d+)\s*:\s*(.*)$", re.S)


def split_code(said: str) -> tuple[int | None, str]:
    """A stored "code: text" split in two; a text without a code keeps its words."""
    match = _CODE_AND_TEXT.match(said or "")
    if match is None:
        return None, said or ""
    return int(match.group(1)), match.group(2)


def gateway_words(code: int | None, text: str) -> str:
    """What happened and what to do, without the code: "Not enough credits: top up or send to
    fewer recipients", with the gateway's own words after it when they say more than its table
    (a name already taken). A code outside the table keeps the gateway's text (translated when
    it is one of the portal's texts)."""
    advice = advice_for(code)
    if advice is None:
        return _(text) if text else _("The gateway gave no reason.")
    words = {"what": _(advice.what), "do": _(advice.do), "detail": text}
    if text and text != ERROR_TEXTS.get(code):  # the gateway said more than its table does
        return _("%(what)s: %(do)s (%(detail)s)") % words
    return _("%(what)s: %(do)s") % words


def gateway_error_text(code: int | None, text: str) -> str:
    """The words with the code after them, for plain text (flash messages, emails, CSV)."""
    words = gateway_words(code, text)
    if code is None:
        return words
    return _("%(words)s (gateway code %(code)s)") % {"words": words, "code": code}


def gateway_error_html(code: int | None, text: str) -> SafeString:
    """The words, with the code small beside it."""
    words = gateway_words(code, text)
    if code is None:
        return format_html('<span class="gateway-error">{}</span>', words)
    return format_html(
        '<span class="gateway-error">{}</span> <small class="gateway-code" title="{}">{}</small>',
        words,
        _("The gateway's code"),
        code,
    )
