"""Domain actions on users, workspaces and memberships."""

from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import regions
from ..audit import audit_record
from ..models import Invitation, Membership, User, Workspace
from ..roles import Role, invitable_roles

RESERVED_SLUGS = {"new", "admin", "api", "static", "sandbox", "accounts", "inbound"}


def _unique_slug(name: str) -> str:
    base = (slugify(name) or "workspace")[:50].strip("-") or "workspace"
    slug = base
    while slug in RESERVED_SLUGS or Workspace.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(4, 'abcdefghijkmnpqrstuvwxyz23456789')}"
    return slug


@transaction.atomic
def workspace_create(
    *, name: str, owner: User | None, actor: User | None = None, **fields: object
) -> Workspace:
    """Create a workspace with `owner` as its owner; with no owner (one is invited later), the
    workspace starts without members and `actor` is who created it."""
    workspace = Workspace.objects.create(name=name, slug=_unique_slug(name), **fields)
    if owner is not None:
        Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    audit_record("workspace_created", workspace=workspace, actor=owner or actor, obj=workspace)
    return workspace


def workspace_settings_suggested(*, user: User, last_slug: str = "") -> dict[str, str] | None:
    """A new workspace's time zone and country: those of the creator's workspace used last (or
    joined last); None when the creator has no workspace yet (the browser's zone is used)."""
    memberships = Membership.objects.filter(user=user).select_related("workspace")
    chosen = (last_slug and memberships.filter(workspace__slug=last_slug).first()) or (
        memberships.order_by("-created_at").first()
    )
    if chosen is None:
        return None
    return {
        "time_zone": chosen.workspace.time_zone,
        "default_country": chosen.workspace.default_country,
    }


def user_sessions_end_others(*, request: HttpRequest) -> None:
    """End every session of the request's user but this one (the session hash changes)."""
    user = request.user
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    update_session_auth_hash(request, user)


@transaction.atomic
def user_sign_up(
    *, email: str, password: str, name: str, workspace_name: str, time_zone: str = ""
) -> User:
    """The account and its first workspace, in the browser's time zone (`time_zone`, when it
    sent one) and that zone's country."""
    user = User.objects.create_user(email=email, password=password, name=name)
    workspace_create(name=workspace_name, owner=user, **regions.settings_for_time_zone(time_zone))
    return user


@transaction.atomic
def user_sign_up_invited(
    *, invitation: Invitation, name: str, password: str, request: HttpRequest
) -> Membership:
    """The account of an invited person, made from the invitation link (which proved the
    address): the invited email, a member of the inviting workspace, and no workspace of its
    own. Nothing is made if the invitation was used meanwhile (ValidationError) or the address
    has an account already (IntegrityError)."""
    user = User.objects.create_user(email=invitation.email, password=password, name=name)
    return invitation_accept(invitation=invitation, user=user, request=request)


def invitation_create(
    *, request: HttpRequest, workspace: Workspace, email: str, role: Role
) -> Invitation:
    """Invite `email` to the workspace and mail the link."""
    email = email.strip().lower()
    if Membership.objects.for_workspace(workspace).filter(user__email=email).exists():
        raise ValidationError(
            _("%(email)s is already a member of this workspace.") % {"email": email}
        )
    if role not in invitable_roles(request.role):
        raise PermissionDenied(_("Owners invite anyone; admins invite senders and viewers only."))
    invitation = Invitation.objects.create(
        workspace=workspace, email=email, role=role, invited_by=request.user
    )
    invitation_send(request=request, invitation=invitation)
    audit_record("member_invited", request=request, obj=invitation, email=email, role=role.value)
    return invitation


def invitation_send(*, request: HttpRequest, invitation: Invitation) -> None:
    """Mail the invitation link to the invited address."""
    link = request.build_absolute_uri(reverse("accounts:invitation", args=[invitation.token]))
    role = Role(invitation.role)
    send_mail(
        subject=_("You are invited to %(workspace)s on Text-Connect Portal")
        % {"workspace": invitation.workspace.name},
        message=_(
            "%(who)s invited you to join %(workspace)s as %(role)s.\n\n"
            "Accept the invitation: %(link)s\n\n"
            "The link works once and expires on %(expires)s."
        )
        % {
            "who": request.user.get_full_name(),
            "workspace": invitation.workspace.name,
            "role": str(role.label).lower(),
            "link": link,
            "expires": date_format(invitation.expires_at, "j F Y"),
        },
        from_email=None,
        recipient_list=[invitation.email],
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User, request: HttpRequest) -> Membership:
    """Join the invitation's workspace. The invitation is claimed once, atomically."""
    claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=timezone.now(), accepted_by=user
    )
    if claimed != 1:
        raise ValidationError(_("This invitation has already been used."))
    membership, created = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role}
    )
    if created:
        audit_record(
            "member_joined",
            request=request,
            workspace=invitation.workspace,
            actor=user,
            obj=membership,
            role=membership.role,
        )
    return membership


def _locked_roles(workspace: Workspace) -> dict[int, tuple[int, Role]]:
    """Lock the workspace's memberships and read them: {membership id: (user id, role)}.

    Two owners changing each other at once would each count two owners and leave none; under the
    lock the second change waits and sees the first. Locked in id order, so changes queue rather
    than deadlock."""
    rows = (
        Membership.objects.for_workspace(workspace)
        .select_for_update()
        .order_by("pk")
        .values_list("pk", "user_id", "role")
    )
    return {pk: (user_id, Role(role)) for pk, user_id, role in rows}


def _checked_roles(request: HttpRequest, membership: Membership) -> tuple[Role, Role, int]:
    """Under the lock: the actor's role now, the target's role now, and the number of owners."""
    roles = _locked_roles(membership.workspace)
    actor = next((role for user_id, role in roles.values() if user_id == request.user.pk), None)
    if actor is None:
        raise PermissionDenied(_("You are no longer a member of this workspace."))
    if membership.pk not in roles:
        raise ValidationError(_("This person is no longer a member of this workspace."))
    owners = sum(role == Role.OWNER for _user, role in roles.values())
    return actor, roles[membership.pk][1], owners


@transaction.atomic
def membership_change_role(*, request: HttpRequest, membership: Membership, role: Role) -> None:
    """Owners only. The last owner cannot step down."""
    actor, old, owners = _checked_roles(request, membership)
    if actor != Role.OWNER:
        raise PermissionDenied("Only an owner can change roles.")
    if old == role:
        return
    if old == Role.OWNER and owners <= 1:
        raise ValidationError(_("A workspace needs at least one owner."))
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record("role_changed", request=request, obj=membership, old=old.value, new=role.value)
    _invitations_lapse(request=request, membership=membership, still=invitable_roles(role))


@transaction.atomic
def membership_remove(*, request: HttpRequest, membership: Membership) -> None:
    """Owners remove anyone but the last owner; admins remove senders and viewers."""
    actor, target, owners = _checked_roles(request, membership)
    if target.at_least(Role.ADMIN) and actor != Role.OWNER:
        raise PermissionDenied("Only an owner can remove an admin or owner.")
    if target == Role.OWNER and owners <= 1:
        raise ValidationError(_("A workspace needs at least one owner."))
    audit_record("member_removed", request=request, obj=membership, email=membership.user.email)
    _invitations_lapse(request=request, membership=membership, still=[])
    membership.delete()


def _invitations_lapse(*, request: HttpRequest, membership: Membership, still: list[Role]) -> None:
    """Revoke the member's pending invitations to roles they may no longer invite to: a link
    must not outlive its sender's place (or rank) in the workspace."""
    pending = Invitation.objects.for_workspace(membership.workspace).filter(
        invited_by_id=membership.user_id, accepted_at__isnull=True
    )
    for invitation in pending.exclude(role__in=still):
        audit_record(
            "invitation_revoked",
            request=request,
            obj=invitation,
            email=invitation.email,
            reason="inviter_left" if not still else "inviter_role_changed",
        )
        invitation.delete()
