"""Send → Sending rules (admins): quiet hours, approval of large sends, tracked links and the
opt-out instruction of marketing messages."""

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import workspace_view
from accounts.audit import audit_record
from accounts.roles import Role

from .forms import ApprovalPolicyForm, LinkSettingsForm, MarketingSettingsForm, QuietHoursForm
from .models import ApprovalPolicy, LinkSettings, MarketingSettings, QuietHours


@workspace_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def sending_rules(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace
    quiet, _created = QuietHours.objects.get_or_create(workspace=workspace)
    approval, _created = ApprovalPolicy.objects.get_or_create(workspace=workspace)
    link_rule, _created = LinkSettings.objects.get_or_create(workspace=workspace)
    marketing_rule, _created = MarketingSettings.objects.get_or_create(workspace=workspace)
    which = request.POST.get("form")
    quiet_form = QuietHoursForm(request.POST if which == "quiet" else None, instance=quiet,
                                prefix="quiet")  # fmt: skip
    approval_form = ApprovalPolicyForm(request.POST if which == "approval" else None,
                                       instance=approval, prefix="approval")  # fmt: skip
    links_form = LinkSettingsForm(request.POST if which == "links" else None, instance=link_rule,
                                  prefix="links")  # fmt: skip
    marketing_form = MarketingSettingsForm(request.POST if which == "marketing" else None,
                                           instance=marketing_rule, prefix="marketing")  # fmt: skip
    forms = {"quiet": quiet_form, "approval": approval_form, "links": links_form,
             "marketing": marketing_form}  # fmt: skip
    form = forms.get(which)
    if request.method == "POST" and form is not None and form.is_valid():
        saved = form.save()
        action = {"quiet": "quiet_hours_changed", "approval": "approval_policy_changed",
                  "links": "link_expiry_changed",
                  "marketing": "opt_out_footer_changed"}[which]  # fmt: skip
        audit_record(action, request=request, obj=workspace, **_summary(saved))
        flash.success(request, _("Saved."))
        return redirect("messaging:rules", slug=workspace.slug)
    context = {"quiet_form": quiet_form, "approval_form": approval_form, "links_form": links_form,
               "marketing_form": marketing_form}  # fmt: skip
    return render(request, "messaging/sending_rules.html", context)


def _summary(saved: QuietHours | ApprovalPolicy | LinkSettings | MarketingSettings) -> dict:
    if isinstance(saved, MarketingSettings):
        return {"opt_out_footer": saved.opt_out_footer}
    if isinstance(saved, LinkSettings):
        return {"expire_days": saved.expire_days}
    if isinstance(saved, QuietHours):
        return {
            "enabled": saved.enabled,
            "window": f"{saved.start:%H:%M}-{saved.end:%H:%M}" if saved.start else "",
            "quiet_days": saved.quiet_days,
        }
    return {
        "enabled": saved.enabled,
        "recipients_over": saved.recipients_over,
        "credits_over": saved.credits_over,
    }
