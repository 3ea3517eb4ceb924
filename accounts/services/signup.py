"""Signing up by mail: the form's answer never says whether an address has an account.

The visitor gives a name, an email address and a workspace name. A new address gets a signed link
to choose a password and finish; an address with an account gets a note saying so. Both see the
same page. The password is chosen only from the link, so nobody can set up an account in someone
else's name with a password of their own.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from ..models import User

SALT = "accounts.signup"


@dataclass(frozen=True)
class SignUpRequest:
    email: str
    name: str
    workspace_name: str
    next_url: str = ""
    time_zone: str = ""  # the browser's, when it said


def signup_request_mail(*, request: HttpRequest, signup: SignUpRequest) -> None:
    """Mail the address: the link to finish signing up, or a note that it has an account."""
    if User.objects.filter(email__iexact=signup.email).exists():
        login = request.build_absolute_uri(reverse("accounts:login"))
        reset = request.build_absolute_uri(reverse("accounts:password_reset"))
        subject = _("You already have a Text-Connect Portal account")
        body = _(
            "Someone (perhaps you) tried to sign up to Text-Connect Portal with %(email)s, which "
            "already has an account.\n\nLog in: %(login)s\nForgotten your password? Reset it: "
            "%(reset)s\n\nIf it was not you, ignore this email: nothing has changed."
        ) % {"email": signup.email, "login": login, "reset": reset}
    else:
        link = request.build_absolute_uri(
            reverse("accounts:signup_finish", args=[signup_token(signup)])
        )
        subject = _("Finish creating your Text-Connect Portal account")
        body = _(
            "Follow this link to choose a password and create the workspace %(workspace)s:\n"
            "%(link)s\n\nThe link works for %(days)d days. If you did not ask for an account, "
            "ignore this email."
        ) % {
            "workspace": signup.workspace_name,
            "link": link,
            "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
        }
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[signup.email])


def signup_token(signup: SignUpRequest) -> str:
    payload = {
        "e": signup.email,
        "n": signup.name,
        "w": signup.workspace_name,
        "x": signup.next_url,
        "t": signup.time_zone,
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def signup_token_read(token: str) -> SignUpRequest | None:
    """The sign-up a link carries, or None when it is forged or older than the reset timeout."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.BadSignature:
        return None
    return SignUpRequest(
        payload["e"], payload["n"], payload["w"], payload.get("x", ""), payload.get("t", "")
    )
