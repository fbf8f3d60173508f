"""The coordinator's people page: who works in the tracker, with which role and units; create, change, deactivate.

The views check who may do what and validate the input; every write is a function of measures.people.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import people
from ..forms import PersonForm, add_errors
from ..models import Organisation, PersonChange
from ..permissions import can_manage_people, can_manage_person
from ..roles import Role


def _require_coordinator(user):
    if not can_manage_people(user):
        raise PermissionDenied(_("Only coordinators manage people."))


def _person_or_403(request, pk):
    _require_coordinator(request.user)
    person = get_object_or_404(get_user_model(), pk=pk)
    if not can_manage_person(request.user, person):
        raise PermissionDenied(_("A superuser is managed in the back office, not here."))
    return person


@login_required
@require_safe
def person_list(request):
    """Everybody with an account: name, e-mail address, role, units, whether they are active."""
    _require_coordinator(request.user)
    people_list = (
        get_user_model()
        .objects.prefetch_related(
            Prefetch("groups", to_attr="role_groups", queryset=Group.objects.filter(name__in=Role.values)),
            Prefetch("units", queryset=Organisation.objects.order_by("name").only("pk", "name")),
        )
        .order_by("-is_active", "last_name", "first_name", "username")
    )
    rows = [
        {
            "person": person,
            "role": next((Role(group.name) for group in person.role_groups), None),
            "units": list(person.units.all()),
            "manageable": can_manage_person(request.user, person),
        }
        for person in people_list
    ]
    return render(request, "people/person_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def add_person(request):
    """Create a person; they get an e-mail with a link to choose their password."""
    _require_coordinator(request.user)
    form = PersonForm(request.POST or None, units=people.unit_choices(), initial={"role": Role.CASEWORKER})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = people.create_person(
                actor=request.user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                role=data["role"],
                units=data["units"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is created. An e-mail with a link to choose a password has gone to %(email)s.")
                % {"name": person.get_full_name(), "email": person.email},
            )
            return redirect("person_detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def person_detail(request, pk):
    """A person's page: change name, e-mail, role and units; deactivate or reactivate; the history of changes."""
    person = _person_or_403(request, pk)
    role = people.role_of(person)
    units = list(person.units.order_by("name"))
    initial = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "role": role.value if role else None,
        "units": units,
        "seen_version": people.person_version(person),
    }
    is_self = person.pk == request.user.pk
    form = PersonForm(request.POST or None, units=people.unit_choices(), initial=initial, own_role=is_self)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = people.update_person(
                actor=request.user,
                person=person,
                seen_version=data["seen_version"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                role=data["role"],
                units=data["units"],
            )
        except people.PersonChangedMeanwhile as stale:
            saved = type(person).objects.get(pk=person.pk)
            latest = PersonChange.objects.filter(person=saved).select_related("author").order_by("-at", "-id").first()
            form.show_conflict(
                saved,
                stale.version,
                seen=people.person_at_version(saved, data["seen_version"]),
                saved_by=latest.author if latest else None,
                saved_at=latest.at if latest else None,
                current_role=people.role_of(saved),
                current_units=list(saved.units.order_by("name")),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            if change is None:
                messages.info(request, _("Nothing was changed."))
            else:
                name = f"{data['first_name']} {data['last_name']}"
                messages.success(request, _("The changes to %(name)s are saved.") % {"name": name})
            return redirect("person_detail", pk=person.pk)
    context = {
        "person": person,
        "role": role,
        "units": units,
        "form": form,
        "trail": people.person_trail(person),
        "is_self": is_self,
    }
    return render(request, "people/person_detail.html", context)


@login_required
@require_POST
def change_person_state(request, pk, action):
    """Deactivate or reactivate a person, or send them a new set-password e-mail; back to their page."""
    person = _person_or_403(request, pk)
    try:
        if action == "deaktiver":
            done = people.set_person_active(actor=request.user, person=person, active=False)
            message = _("%(name)s is deactivated and can no longer log in.")
        elif action == "aktiver":
            done = people.set_person_active(actor=request.user, person=person, active=True)
            message = _("%(name)s is active again and can log in.")
        elif action == "send-passord":
            done = people.send_set_password_mail(actor=request.user, person=person)
            message = _("An e-mail with a link to choose a password has gone to %(email)s.")
        else:
            raise Http404("Unknown action.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if done is None:
            messages.info(request, _("Nothing was changed."))
        else:
            messages.success(request, message % {"name": person.get_full_name(), "email": person.email})
    return redirect("person_detail", pk=person.pk)
