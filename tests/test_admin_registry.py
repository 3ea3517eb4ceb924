"""Every model of the portal's apps is in the operator admin: registered, or shown inline under
the model it belongs to."""

import pytest
from django.apps import apps
from django.contrib import admin

APPS = ["accounts", "contacts", "messaging", "reporting", "inbound", "sandbox"]


def _shown() -> set[type]:
    inline = {i.model for a in admin.site._registry.values() for i in a.inlines}
    return set(admin.site._registry) | inline


@pytest.mark.parametrize("label", APPS)
def test_every_model_is_in_the_admin(label):
    shown = _shown()
    missing = [m.__name__ for m in apps.get_app_config(label).get_models() if m not in shown]
    assert missing == [], f"{label}: not in the admin: {missing}"
