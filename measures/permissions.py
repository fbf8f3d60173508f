"""Who may do what, checked on the server for each object.

Views call these before they change anything; the templates call them (through the view's context) only to decide
what to offer. Every check starts from an active, logged-in user.
"""

from .models import Measure


def _active(user):
    return user.is_authenticated and user.is_active


def is_coordinator(user):
    """Coordinators (and superusers) edit every record and report on every measure."""
    return _active(user) and user.has_perm("measures.change_measure")


def can_report_on(user, measure):
    """A coordinator on any measure; a caseworker on the measures their units are responsible for."""
    if not _active(user):
        return False
    if is_coordinator(user):
        return True
    return (
        user.has_perm("measures.add_statusupdate")
        and measure.responsible_unit_id is not None
        and user.units.filter(pk=measure.responsible_unit_id).exists()
    )


def reportable_measures(user):
    """The measures `user` may report on, as a queryset (none for a user without the right)."""
    if is_coordinator(user):
        return Measure.objects.all()
    if _active(user) and user.has_perm("measures.add_statusupdate"):
        return Measure.objects.filter(responsible_unit__members=user)
    return Measure.objects.none()


def can_edit(user, obj):
    """Coordinators edit records; the model's change permission decides."""
    meta = obj._meta
    return _active(user) and user.has_perm(f"{meta.app_label}.change_{meta.model_name}")


def can_see_history(user):
    """Every logged-in person sees the audit trail (who changed what, when)."""
    return _active(user)


def can_comment(user):
    """Members of the advisory council (and coordinators) write comments."""
    return _active(user) and user.has_perm("measures.add_comment")


def can_answer(user, comment):
    """A coordinator answers any comment; a caseworker answers comments on what their units are responsible for."""
    if not _active(user):
        return False
    if is_coordinator(user):
        return True
    if comment.measure_id is not None:
        return can_report_on(user, comment.measure)
    if comment.commitment_id is not None and user.has_perm("measures.add_statusupdate"):
        return comment.commitment.measures.filter(responsible_unit__members=user).exists()
    return False


def can_manage_people(user):
    """Coordinators list people, create them and give them a role and units (the people page)."""
    return is_coordinator(user)


def can_manage_person(user, person):
    """A coordinator manages every person except a superuser, whose rights are more than a coordinator's and are
    managed in the back office by another superuser."""
    return can_manage_people(user) and not person.is_superuser
