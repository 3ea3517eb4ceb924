"""The language the portal speaks: a signed-in person's own choice, else the cookie or the
browser's (Django's LocaleMiddleware), and the picker that changes it."""

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST


class UserLanguageMiddleware:
    """After authentication: the user's saved language wins over LocaleMiddleware's guess."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if not (language and translation.check_for_language(language)):
            return self.get_response(request)
        # For this request only: the thread goes back to what it spoke before (a leftover
        # activation would carry one person's language into whatever the thread does next).
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            return self.get_response(request)  # LocaleMiddleware sets Content-Language from it


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


def _safe_next(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language: kept in a cookie, and on the account of a signed-in person."""
    form = LanguageForm(request.POST)
    target = _safe_next(request, request.POST.get("next", ""))
    response = HttpResponseRedirect(target)
    if not form.is_valid():
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response
