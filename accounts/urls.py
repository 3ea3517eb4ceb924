from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from . import views
from .language import set_language
from .two_factor import PortalLoginView

app_name = "accounts"

urlpatterns = [
    path("language/", set_language, name="set_language"),
    path("signup/", views.signup, name="signup"),
    path("signup/<str:token>/", views.signup_finish, name="signup_finish"),
    path("login/", PortalLoginView.as_view(), name="login"),
    path("two-factor/", include("accounts.two_factor_urls")),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("workspaces/new/", views.workspace_new, name="workspace_new"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("invitations/<str:token>/signup/", views.invitation_signup, name="invitation_signup"),
]
