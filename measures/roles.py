"""The roles people have, as Django groups with permissions, and the units a caseworker belongs to.

A role is a group whose name is the role's value. `ensure_roles` creates the groups and gives them their
permissions; it runs after every `migrate` (connected in MeasuresConfig.ready) and is idempotent.
"""

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _

TRACKED_APPS = ("decisions", "measures")


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    CASEWORKER = "caseworker", _("Caseworker")
    FAGRAD = "fagrad", _("Member of the advisory council")
    READER = "reader", _("Reader")

    @property
    def description(self):
        return _ROLE_DESCRIPTIONS[self]


_ROLE_DESCRIPTIONS = {
    Role.COORDINATOR: _("Edits every record, manages plans, periods and links, and reports on every measure."),
    Role.CASEWORKER: _("Reports the status of the measures of the units they belong to."),
    Role.FAGRAD: _("Reads everything, including the audit trail, and comments on measures and commitments."),
    Role.READER: _("Reads everything, including the audit trail."),
}

# (app label, codename) for each role; "view_*" of every tracked model is given to every role.
_ROLE_PERMISSIONS = {
    Role.COORDINATOR: "all",
    Role.CASEWORKER: [("measures", "add_statusupdate")],
    Role.FAGRAD: [("measures", "add_comment")],
    Role.READER: [],
}


def ensure_roles(**_signal_kwargs):
    """Create the role groups and set their permissions (safe to run again)."""
    tracked = Permission.objects.filter(content_type__app_label__in=TRACKED_APPS)
    viewing = list(tracked.filter(codename__startswith="view_"))
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = _ROLE_PERMISSIONS[role]
        if wanted == "all":
            permissions = list(tracked)
        else:
            extra = [
                permission
                for permission in tracked
                if (permission.content_type.app_label, permission.codename) in set(wanted)
            ]
            permissions = viewing + extra
        group.permissions.set(permissions)


def assign_role(user, role):
    """Give `user` exactly this role (removing the other role groups)."""
    role_groups = Group.objects.filter(name__in=Role.values)
    user.groups.remove(*role_groups)
    user.groups.add(Group.objects.get(name=Role(role).value))
