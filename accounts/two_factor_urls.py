"""Two-factor pages under /accounts/two-factor/, in the accounts namespace."""

from django.urls import path

from . import two_factor

urlpatterns = [
    path("", two_factor.two_factor_status, name="two_factor"),
    path("enrol/", two_factor.two_factor_enrol, name="two_factor_enrol"),
    path("disable/", two_factor.two_factor_disable, name="two_factor_disable"),
    path("recovery-codes/", two_factor.two_factor_recovery_codes, name="two_factor_recovery_codes"),
    path("login/", two_factor.two_factor_login, name="two_factor_login"),
]
