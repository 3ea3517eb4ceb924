"""`{% gateway_error code text %}` and `{{ said|gateway_said }}`: gateway errors in words."""

from django import template
from django.utils.safestring import SafeString

from accounts.gateway_words import gateway_error_html, split_code

register = template.Library()


@register.simple_tag
def gateway_error(code: int | None, text: str) -> SafeString:
    """A gateway code and text kept apart (error_code, error_text)."""
    return gateway_error_html(code, text)


@register.filter
def gateway_said(said: str) -> SafeString:
    """A stored "code: text" (a note, a connection check) in words."""
    return gateway_error_html(*split_code(said))
