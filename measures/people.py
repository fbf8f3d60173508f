"""The people who work in the tracker: coordinators create them, give them a role and units, deactivate them.

These functions are the only code behind the people page (measures/views/people.py) that writes users, their role
group and their units. Each takes the acting coordinator, runs in one transaction, and records what it changed as
a PersonChange in the actor's name. What they can give is bounded by what a coordinator has: one of the roles of
measures.roles and units; never the superuser or staff flag, never a permission of its own. A superuser is never
changed here (measures.permissions.can_manage_person), and nobody changes their own role or deactivates themselves,
so a coordinator cannot lock themselves (and, when they are the last one, everybody) out.
"""

import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bergen_rus.audit import Change, TrailEntry

from .models import Organisation, PersonChange, PersonChangeKind
from .permissions import can_manage_people, can_manage_person
from .roles import Role, assign_role, ensure_roles

NAME_LENGTH = 150  # the length of auth.User's first and last name

# The fields a change names, with the label the history shows.
FIELD_LABELS = {
    "first_name": gettext_lazy("first name"),
    "last_name": gettext_lazy("last name"),
    "email": gettext_lazy("e-mail address"),
    "username": gettext_lazy("user name"),
    "role": gettext_lazy("role"),
    "units": gettext_lazy("units"),
    "is_active": gettext_lazy("active"),
    "is_staff": gettext_lazy("back office (/admin/)"),
    "password": gettext_lazy("password"),
}


class PersonChangedMeanwhile(ValidationError):
    """Somebody changed the person after the form was opened: nothing was saved. `version` is the current one."""

    def __init__(self, version):
        super().__init__(_("Somebody else changed this person while you were editing."), code="stale")
        self.version = version


def roles_of(person):
    """The person's roles (measures.roles.Role), from their groups (one query)."""
    names = set(person.groups.filter(name__in=Role.values).values_list("name", flat=True))
    return {role for role in Role if role.value in names}


def role_of(person):
    """The person's role (measures.roles.Role) or None."""
    roles = roles_of(person)
    return next((role for role in Role if role in roles), None)


def person_version(person):
    """The version of a person the people page compares: how many changes have been recorded for them."""
    return PersonChange.objects.filter(person=person).count()


def _check_actor(actor, person=None):
    if not can_manage_people(actor):
        raise PermissionDenied(_("Only coordinators manage people."))
    if person is not None and not can_manage_person(actor, person):
        raise PermissionDenied(_("A superuser is managed in the back office, not here."))


def _clean(*, person, first_name, last_name, email, role, units):
    """The values stripped and checked; a ValidationError names each field that is wrong."""
    errors = {}
    first_name, last_name, email = first_name.strip(), last_name.strip(), email.strip()
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        if not value:
            errors[field] = _("Give the name: reports and comments are signed with it.")
        elif len(value) > NAME_LENGTH:
            errors[field] = _("At most %(limit)d characters.") % {"limit": NAME_LENGTH}
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Give a valid e-mail address: the set-password e-mail goes there.")
    else:
        others = get_user_model().objects.filter(email__iexact=email)
        if person is not None:
            others = others.exclude(pk=person.pk)
        if others.exists():
            errors["email"] = _("Somebody already has this e-mail address.")
    if role not in Role.values:
        errors["role"] = _("Choose one of the roles.")
    elif role == Role.CASEWORKER and not units:
        errors["units"] = _("A caseworker reports for at least one unit.")
    if errors:
        raise ValidationError(errors)
    return first_name, last_name, email


def _free_username(wanted, *, person=None):
    """`wanted` (an e-mail address, lower case) or, when somebody else has it, `wanted` with a number."""
    users = get_user_model().objects.all()
    if person is not None:
        users = users.exclude(pk=person.pk)
    candidate, n = wanted, 1
    while users.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{wanted}-{n}"
    return candidate


def _unit_names(units):
    return sorted(str(unit) for unit in units)


def _send_set_password_mail(person, *, welcome):
    """The e-mail with a link to choose a password (Django's password reset token: valid for
    PASSWORD_RESET_TIMEOUT, once, and only while the password and e-mail address stay as they are)."""
    link = settings.SITE_URL + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    )
    context = {
        "person": person,
        "link": link,
        "username": person.get_username(),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60)),
        "login_url": settings.SITE_URL + reverse("login"),
        "welcome": welcome,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("emails/set_password_subject.txt", context).strip()
        body = render_to_string("emails/set_password.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
    except (smtplib.SMTPException, OSError) as error:
        raise ValidationError(
            _("The e-mail could not be sent (%(error)s). Nothing was saved; try again later.") % {"error": error},
            code="mail_failed",
        ) from error


@transaction.atomic
def create_person(*, actor, first_name, last_name, email, role, units=()):
    """Create a person with a role and units, and e-mail them a link to choose their password. Returns the user.

    Side effects, in one transaction (a refusal or a failed e-mail changes nothing):
    - creates the user, active, with an unusable password, no staff or superuser flag and no permission of its own;
      the user name is the e-mail address (in lower case; with a number when somebody has it already);
    - puts them in exactly the role's group and makes them a member of `units`;
    - records a PersonChange «created» by `actor` listing every value;
    - sends the set-password e-mail to the address (the last step, so it only goes out for a person that is saved).
    Raises PermissionDenied unless `actor` is a coordinator, ValidationError (by field) for wrong values.
    """
    _check_actor(actor)
    units = list(units)
    first_name, last_name, email = _clean(
        person=None, first_name=first_name, last_name=last_name, email=email, role=role, units=units
    )
    person = get_user_model()(
        username=_free_username(email.lower()), first_name=first_name, last_name=last_name, email=email
    )
    person.set_unusable_password()
    person.save()
    ensure_roles()
    assign_role(person, role)
    person.units.set(units)
    values = {
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "username": person.username,
        "role": role,
        "units": _unit_names(units),
        "is_active": True,
    }
    PersonChange.objects.create(
        person=person,
        author=actor,
        kind=PersonChangeKind.CREATED,
        changes=[{"field": name, "old": None, "new": value} for name, value in values.items()],
    )
    _send_set_password_mail(person, welcome=True)
    return person


@transaction.atomic
def update_person(*, actor, person, seen_version, first_name, last_name, email, role, units):
    """Change a person's name, e-mail address, role and units. Returns the PersonChange, or None if nothing changed.

    Side effects, in one transaction:
    - locks the person's row and compares `seen_version` (measures.people.person_version when the form was
      opened) with the current one: if somebody changed the person meanwhile, raises PersonChangedMeanwhile and
      saves nothing;
    - writes the changed fields; when the user name was the old e-mail address it follows the new one;
    - sets exactly the role's group (a person who stops being a coordinator also loses the back office: the staff
      flag is only ever taken away here, never given) and the units;
    - records a PersonChange «changed» by `actor` with each field's old and new value.
    Raises PermissionDenied unless `actor` may manage `person`, or when actors change their own role;
    ValidationError (by field) for wrong values.
    """
    locked = get_user_model().objects.select_for_update().get(pk=person.pk)
    _check_actor(actor, locked)
    current = person_version(locked)
    if seen_version != current:
        raise PersonChangedMeanwhile(current)
    units = list(units)
    first_name, last_name, email = _clean(
        person=locked, first_name=first_name, last_name=last_name, email=email, role=role, units=units
    )
    old_role = role_of(locked)
    if locked.pk == actor.pk and role != old_role:
        raise PermissionDenied(_("You cannot change your own role; ask another coordinator."))
    old_units = list(locked.units.all())
    changes = []

    def note(field, old, new):
        if old != new:
            changes.append({"field": field, "old": old, "new": new})

    note("first_name", locked.first_name, first_name)
    note("last_name", locked.last_name, last_name)
    note("email", locked.email, email)
    new_username = locked.username
    if email != locked.email and locked.username.lower() == locked.email.lower():
        new_username = _free_username(email.lower(), person=locked)
    note("username", locked.username, new_username)
    note("role", old_role.value if old_role else None, role)
    note("units", _unit_names(old_units), _unit_names(units))
    staff = locked.is_staff and role == Role.COORDINATOR
    note("is_staff", locked.is_staff, staff)
    if not changes:
        return None
    locked.first_name, locked.last_name, locked.email = first_name, last_name, email
    locked.username, locked.is_staff = new_username, staff
    locked.save(update_fields=["first_name", "last_name", "email", "username", "is_staff"])
    if role != (old_role.value if old_role else None):
        ensure_roles()
        assign_role(locked, role)
    if {unit.pk for unit in old_units} != {unit.pk for unit in units}:
        locked.units.set(units)
    return PersonChange.objects.create(person=locked, author=actor, kind=PersonChangeKind.CHANGED, changes=changes)


@transaction.atomic
def set_person_active(*, actor, person, active):
    """Deactivate a person (they can no longer log in, and a session they have open ends at its next request) or
    make them active again. Returns the PersonChange, or None when the person already was so.

    Side effects, in one transaction: locks the person's row, writes `is_active`, records a PersonChange
    «deactivated» or «reactivated» by `actor`. Their role, units and everything they wrote stay as they are.
    Raises PermissionDenied unless `actor` may manage `person`, or when actors would deactivate themselves.
    """
    locked = get_user_model().objects.select_for_update().get(pk=person.pk)
    _check_actor(actor, locked)
    if locked.pk == actor.pk and not active:
        raise PermissionDenied(_("You cannot deactivate yourself; ask another coordinator."))
    if locked.is_active == active:
        return None
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    return PersonChange.objects.create(
        person=locked,
        author=actor,
        kind=PersonChangeKind.REACTIVATED if active else PersonChangeKind.DEACTIVATED,
        changes=[{"field": "is_active", "old": not active, "new": active}],
    )


@transaction.atomic
def send_set_password_mail(*, actor, person):
    """E-mail an active person a new link to choose their password (when the first has expired or got lost).

    Side effects, in one transaction: records a PersonChange «set-password e-mail sent» by `actor`, then sends the
    e-mail (a failed e-mail records nothing). Earlier links stay valid until they expire or a password is chosen.
    Raises PermissionDenied unless `actor` may manage `person`; ValidationError for a deactivated person.
    """
    locked = get_user_model().objects.select_for_update().get(pk=person.pk)
    _check_actor(actor, locked)
    if not locked.is_active:
        raise ValidationError(_("Make the person active first: a deactivated person cannot log in."))
    change = PersonChange.objects.create(
        person=locked,
        author=actor,
        kind=PersonChangeKind.MAIL_SENT,
        changes=[{"field": "email", "old": None, "new": locked.email}],
    )
    _send_set_password_mail(locked, welcome=False)
    return change


def _snapshot(person):
    """The values a PersonChange names, as they are now (for a person that is saved)."""
    role = role_of(person)
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "username": person.username,
        "role": role.value if role else None,
        "units": _unit_names(person.units.all()),
        "is_active": person.is_active,
        "is_staff": person.is_staff,
    }


@transaction.atomic
def save_person_from_shell(*, username, first_name, last_name, email, role, units, staff, password):
    """Create or change a person from the shell (`manage.py create_user`): the door for whoever runs the server, so
    it may give the back office (`staff`) and a password. Returns the user.

    Side effects, in one transaction: creates the user or locks and changes the existing one (name, e-mail, the
    password, the staff flag), sets exactly the role's group and the units, and records a PersonChange «created» or
    «changed» with no author (the history shows «the system») naming every value that changed, the password as
    «set» without its value. Never gives the superuser flag. The caller checks the arguments and the password rules.
    """
    user_model = get_user_model()
    person = user_model.objects.select_for_update().filter(username=username).first()
    before = _snapshot(person) if person is not None else None
    if person is None:
        person = user_model(username=username)
    person.first_name, person.last_name, person.email = first_name, last_name, email
    person.is_staff = staff
    person.set_password(password)
    person.save()
    ensure_roles()
    assign_role(person, role)
    person.units.set(units)
    after = _snapshot(user_model.objects.get(pk=person.pk))
    old = before or {}
    changes = [
        {"field": name, "old": old.get(name), "new": value} for name, value in after.items() if old.get(name) != value
    ]
    changes.append({"field": "password", "old": None, "new": "set"})
    PersonChange.objects.create(
        person=person,
        author=None,
        kind=PersonChangeKind.CREATED if before is None else PersonChangeKind.CHANGED,
        changes=changes,
    )
    return person


# --- Reading -----------------------------------------------------------------------------------------------------

EDITABLE = ("first_name", "last_name", "email", "role", "units")


def person_at_version(person, version):
    """{field: value} of the fields the people page edits, as they were at `version` (after the person's first
    `version` recorded changes): the values of the newer changes taken back. None when `version` is not known."""
    rows = list(PersonChange.objects.filter(person=person).order_by("at", "id").values_list("kind", "changes"))
    if version is None or not 0 <= version <= len(rows):
        return None
    values = {name: value for name, value in _snapshot(person).items() if name in EDITABLE}
    for kind, changes in reversed(rows[version:]):
        if kind == PersonChangeKind.MAIL_SENT:
            continue  # names the address it went to, changes nothing
        for item in changes:
            if item["field"] in values:
                values[item["field"]] = item["old"]
    return values


def _shown(field, value):
    if value is None or value == "" or value == []:
        return "–"
    if field == "password":
        return str(_("set"))
    if field == "role":
        return str(Role(value).label) if value in Role.values else str(value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def person_trail(person, limit=50):
    """The person's recorded changes, newest first, as bergen_rus.audit's trail entries (one query)."""
    rows = PersonChange.objects.filter(person=person).select_related("author").order_by("-at", "-id")[:limit]
    return [
        TrailEntry(
            row.at,
            row.author,
            row.get_kind_display(),
            "",
            [
                Change(
                    str(FIELD_LABELS.get(item["field"], item["field"])),
                    _shown(item["field"], item["old"]),
                    _shown(item["field"], item["new"]),
                )
                for item in row.changes
            ],
        )
        for row in rows
    ]


def unit_choices():
    """The units a person can belong to."""
    return Organisation.objects.order_by("name")
