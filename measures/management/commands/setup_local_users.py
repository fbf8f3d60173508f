"""For trying the application on a laptop: one user per role, with freshly generated passwords, printed.

Only with DEBUG on: production settings never create users with known passwords. Every run gives each of these users
a new password (and prints it). The caseworker reports for the unit responsible for the most measures, and the
current reporting period is opened if none is open, so that there is something to report into.
"""

import secrets
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from ...models import Organisation, PeriodKind, PeriodState, ReportingPeriod
from ...roles import Role, assign_role, ensure_roles
from ...services import transition_period

LOCAL_USERS = [
    ("koordinator", Role.COORDINATOR, "Kari", "Koordinator"),
    ("saksbehandler", Role.CASEWORKER, "Sara", "Saksbehandler"),
    ("fagrad", Role.FAGRAD, "Frode", "Fagrådsmedlem"),
    ("leser", Role.READER, "Lise", "Leser"),
]


def current_period_bounds(today):
    """(kind, starts, ends) of the tertial today falls in; September–December reports go to the annual report."""
    if today.month <= 4:
        return PeriodKind.FIRST_TERTIAL, date(today.year, 1, 1), date(today.year, 4, 30)
    if today.month <= 8:
        return PeriodKind.SECOND_TERTIAL, date(today.year, 5, 1), date(today.year, 8, 31)
    return PeriodKind.YEAR, date(today.year, 1, 1), date(today.year, 12, 31)


class Command(BaseCommand):
    help = "Create one local user per role with a new password each (DEBUG only) and print how to log in."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Refusing to create users with printed passwords when DEBUG is off (production).")
        user_model = get_user_model()
        # A unit of the real records if one is responsible for measures; synthetic units only as a last resort.
        units = Organisation.objects.annotate(n=Count("responsible_for")).filter(n__gt=0).order_by("-n", "name")
        unit = units.exclude(source__kind="synthetic").first() or units.first()
        lines = []
        with transaction.atomic():
            ensure_roles()
            for username, role, first, last in LOCAL_USERS:
                user = user_model.objects.filter(username=username).first() or user_model(username=username)
                user.first_name, user.last_name = first, last
                user.is_staff = role == Role.COORDINATOR
                user.is_superuser = False
                password = secrets.token_urlsafe(12)
                user.set_password(password)
                user.save()
                assign_role(user, role)
                if role == Role.CASEWORKER and unit is not None:
                    user.units.set([unit])
                lines.append(f"  {username:<14} {password:<20} {role.label}")
            period = self._open_period()
        self.stdout.write("Local users (new passwords on every run; DEBUG only):")
        self.stdout.write("\n".join(str(line) for line in lines))
        if unit is not None:
            self.stdout.write(f"The caseworker reports for: {unit}.")
        if period is not None:
            self.stdout.write(f"Reports go to: {period} ({period.get_state_display()}).")
        self.stdout.write("Log in at http://127.0.0.1:8000/konto/logg-inn/ (the back office is at /admin/).")

    def _open_period(self):
        if ReportingPeriod.objects.filter(state=PeriodState.OPEN).exists():
            return ReportingPeriod.objects.get(state=PeriodState.OPEN)
        kind, starts, ends = current_period_bounds(timezone.localdate())
        period, _created = ReportingPeriod.objects.get_or_create(
            year=starts.year, kind=kind, defaults={"starts_on": starts, "ends_on": ends}
        )
        if period.state == PeriodState.PLANNED:
            period = transition_period(period=period, user=None, to=PeriodState.OPEN)
        return period
