"""What each gateway code means to a person, and what to do about it.

Beside ``errors.ERROR_TEXTS`` (the vendor's wording, kept as it is): for every code there, a
short plain text and the next step, as in "Not enough credits: top up or send to fewer
recipients". The texts are English; an application that translates marks them with
``gettext_noop`` (below) so that its message extractor finds them, and translates them when
it shows them. The package itself needs no translation machinery.
"""

from __future__ import annotations

from typing import NamedTuple


def gettext_noop(text: str) -> str:
    """Marks a text for extraction by gettext tools; returns it unchanged."""
    return text


class Advice(NamedTuple):
    """``what`` happened, in plain words, and what the person can ``do`` next."""

    what: str
    do: str


ADVICE: dict[int, Advice] = {
    -100: Advice(
        gettext_noop("Not enough credits"),
        gettext_noop("top up or send to fewer recipients"),
    ),
    -101: Advice(
        gettext_noop("The credit reference is not valid"),
        gettext_noop("check the credit reference and try again"),
    ),
    -200: Advice(
        gettext_noop("The contact is not valid"),
        gettext_noop("check the contact's number and details"),
    ),
    -300: Advice(
        gettext_noop("The gateway had a database problem"),
        gettext_noop("try again in a few minutes"),
    ),
    -301: Advice(
        gettext_noop("The gateway had an unexpected problem"),
        gettext_noop("try again in a few minutes; if it goes on, contact Text-Connect"),
    ),
    -302: Advice(
        gettext_noop("The gateway could not build its answer"),
        gettext_noop("try again in a few minutes"),
    ),
    -303: Advice(
        gettext_noop("The gateway could not read the request"),
        gettext_noop("try again; if it goes on, tell the portal's operator"),
    ),
    -400: Advice(
        gettext_noop("Some numbers in the list were refused"),
        gettext_noop("check the numbers marked as failed and send to them again"),
    ),
    -401: Advice(
        gettext_noop("The number is not valid"),
        gettext_noop("check the recipient's number, with its country code"),
    ),
    -402: Advice(
        gettext_noop("The sender ID is too long"),
        gettext_noop("use at most 11 letters and digits"),
    ),
    -403: Advice(
        gettext_noop("The sender number is not valid"),
        gettext_noop("use a full phone number, with its country code"),
    ),
    -404: Advice(
        gettext_noop("The message is empty"),
        gettext_noop("write a message"),
    ),
    -405: Advice(
        gettext_noop("The delivery time limit is not valid"),
        gettext_noop("choose a time between one minute and 24 hours"),
    ),
    -406: Advice(
        gettext_noop("The gateway has no route to this number"),
        gettext_noop("check the number's country; contact Text-Connect to open the route"),
    ),
    -407: Advice(
        gettext_noop("The scheduled time is not valid"),
        gettext_noop("choose a time in the future"),
    ),
    -408: Advice(
        gettext_noop("The distribution list is empty"),
        gettext_noop("add numbers to the list, or send to other recipients"),
    ),
    -409: Advice(
        gettext_noop("The group is empty"),
        gettext_noop("add contacts to the group, or send to other recipients"),
    ),
    -410: Advice(
        gettext_noop("The distribution list is not valid"),
        gettext_noop("check the list's name on the gateway"),
    ),
    -411: Advice(
        gettext_noop("Today's limit of messages to this number is reached"),
        gettext_noop("send to it again tomorrow"),
    ),
    -412: Advice(
        gettext_noop("The number is blocked"),
        gettext_noop("the recipient cannot be sent to; remove the number"),
    ),
    -414: Advice(
        gettext_noop("The group is not valid"),
        gettext_noop("check the group's name on the gateway"),
    ),
    -501: Advice(
        gettext_noop("The gateway does not accept the account's token"),
        gettext_noop("paste a current token in Settings → Gateway"),
    ),
    -502: Advice(
        gettext_noop("The gateway does not know this request"),
        gettext_noop("tell the portal's operator"),
    ),
    -503: Advice(
        gettext_noop("The gateway does not know this message"),
        gettext_noop("it may be too old to look up; no action is needed"),
    ),
    -504: Advice(
        gettext_noop("The start of the range is not valid"),
        gettext_noop("choose another start date"),
    ),
    -505: Advice(
        gettext_noop("The end of the range is not valid"),
        gettext_noop("choose another end date"),
    ),
    -506: Advice(
        gettext_noop("This sender is not allowed for email to SMS"),
        gettext_noop("use an approved sender ID"),
    ),
    -507: Advice(
        gettext_noop("Some details are missing or not valid"),
        gettext_noop("check every field and try again"),
    ),
    -508: Advice(
        gettext_noop("The gateway could not create the user"),
        gettext_noop("choose another username, or try again later"),
    ),
    -509: Advice(
        gettext_noop("The gateway does not know this user"),
        gettext_noop("check the child account's username under your account"),
    ),
    -510: Advice(
        gettext_noop("Not enough credits to move"),
        gettext_noop("the child holds fewer credits than that, or your account does; move fewer"),
    ),
    -511: Advice(
        gettext_noop("The gateway is down for maintenance"),
        gettext_noop("try again later"),
    ),
    -512: Advice(
        gettext_noop("The gateway account is suspended"),
        gettext_noop("contact Text-Connect"),
    ),
    -513: Advice(
        gettext_noop("The account's licence is in use elsewhere"),
        gettext_noop("contact Text-Connect"),
    ),
    -514: Advice(
        gettext_noop("The account's licence has expired"),
        gettext_noop("renew it with Text-Connect"),
    ),
    -515: Advice(
        gettext_noop("No licence is available for the account"),
        gettext_noop("contact Text-Connect"),
    ),
    -516: Advice(
        gettext_noop("The gateway does not know this list"),
        gettext_noop("check the list's name on the gateway"),
    ),
    -517: Advice(
        gettext_noop("The gateway could not create the list"),
        gettext_noop("try again later"),
    ),
    -518: Advice(
        gettext_noop("The sender ID is missing or not valid"),
        gettext_noop("choose a sender ID"),
    ),
    -519: Advice(
        gettext_noop("The message is empty"),
        gettext_noop("write a message"),
    ),
    -520: Advice(
        gettext_noop("The gateway does not know this group"),
        gettext_noop("check the group's name, or push the address book again"),
    ),
    -521: Advice(
        gettext_noop("The gateway does not know this background send"),
        gettext_noop("no action is needed; the portal checks each message instead"),
    ),
    -522: Advice(
        gettext_noop("The background send has not finished"),
        gettext_noop("wait a little; the portal checks again"),
    ),
    -523: Advice(
        gettext_noop("No messages were found"),
        gettext_noop("choose another range"),
    ),
    -601: Advice(
        gettext_noop("The gateway does not know this report"),
        gettext_noop("choose another report"),
    ),
    -701: Advice(
        gettext_noop("No user was named"),
        gettext_noop("choose a child account"),
    ),
    -702: Advice(
        gettext_noop("The amount is not valid"),
        gettext_noop("enter a whole number of credits"),
    ),
    -703: Advice(
        gettext_noop("The currency is not valid"),
        gettext_noop("choose another currency"),
    ),
}


def advice_for(code: int | None) -> Advice | None:
    """The advice for a gateway code, or None for a code outside the vendor's table."""
    return ADVICE.get(code) if code is not None else None
