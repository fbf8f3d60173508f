"""Reminders by e-mail, sent by the `send_reminders` command that a scheduler runs (see the README).

- When a period opens, each caseworker gets one e-mail listing their measures still to report in it.
- A week before the period's reporting deadline, each caseworker with measures still unreported gets one more.
- When a period is published, each member of the advisory council gets its progress report.
Each reminder is recorded in ReminderSent (unique per kind, period and person) in the same transaction as it is sent,
so it is never sent twice, even if two runs overlap or a run is repeated.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Measure, PeriodState, ReminderKind, ReminderSent, ReportingPeriod
from .periods import reported_in
from .progress import progress
from .roles import Role
from .status import FINAL

DEADLINE_WARNING = timedelta(days=7)
PUBLISHED_WITHIN = timedelta(days=14)


@dataclass
class Outcome:
    sent: int = 0
    skipped: int = 0


def unreported_measures(user, period):
    """The measures `user`'s units are responsible for that have no report in `period` yet (not done or cancelled)."""
    return (
        Measure.objects.filter(responsible_unit__members=user)
        .exclude(current_status__in=FINAL)
        .annotate(reported=reported_in(period))
        .filter(reported=False)
        .select_related("latest_update")
        .in_plan_order()
    )


def _people(role):
    return get_user_model().objects.filter(is_active=True, groups__name=role.value).exclude(email="").order_by("pk")


def _send_once(kind, period, user, subject, body, measure_count=0):
    """Record and send one reminder in one transaction; False when it was already sent."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(kind=kind, period=period, user=user, measure_count=measure_count)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except IntegrityError:
        return False
    return True


def _caseworker_reminders(kind, period, outcome):
    already = set(ReminderSent.objects.filter(kind=kind, period=period).values_list("user_id", flat=True))
    for user in _people(Role.CASEWORKER).exclude(pk__in=already):
        measures = list(unreported_measures(user, period))
        if not measures:
            outcome.skipped += 1
            continue
        context = {
            "user": user,
            "period": period,
            "measures": [(m, settings.SITE_URL + reverse("report_status", args=[m.pk])) for m in measures],
            "deadline_near": kind == ReminderKind.DEADLINE_NEAR,
            "my_url": settings.SITE_URL + reverse("my_measures"),
        }
        subject = render_to_string("emails/reminder_subject.txt", context).strip()
        body = render_to_string("emails/reminder.txt", context)
        if _send_once(kind, period, user, subject, body, len(measures)):
            outcome.sent += 1
        else:
            outcome.skipped += 1


def _published_reminders(period, outcome):
    already = set(
        ReminderSent.objects.filter(kind=ReminderKind.PUBLISHED, period=period).values_list("user_id", flat=True)
    )
    members = list(_people(Role.FAGRAD).exclude(pk__in=already))
    if not members:
        return
    report = progress(period)
    for user in members:
        context = {
            "user": user,
            "progress": report,
            "url": settings.SITE_URL + reverse("progress_report", args=[period.pk]),
            "pdf_url": settings.SITE_URL + reverse("progress_pdf", args=[period.pk]),
        }
        subject = render_to_string("emails/published_subject.txt", context).strip()
        body = render_to_string("emails/published.txt", context)
        if _send_once(ReminderKind.PUBLISHED, period, user, subject, body):
            outcome.sent += 1
        else:
            outcome.skipped += 1


def send_reminders(*, today=None):
    """Send every reminder that is due today and not sent before. Returns how many were sent and skipped."""
    today = today or timezone.localdate()
    outcome = Outcome()
    with translation.override(settings.LANGUAGE_CODE):
        for period in ReportingPeriod.objects.filter(state=PeriodState.OPEN):
            _caseworker_reminders(ReminderKind.PERIOD_OPENED, period, outcome)
            deadline = period.report_deadline
            if deadline is not None and deadline - DEADLINE_WARNING <= today <= deadline:
                _caseworker_reminders(ReminderKind.DEADLINE_NEAR, period, outcome)
        recently = timezone.now() - PUBLISHED_WITHIN
        for period in ReportingPeriod.objects.filter(state=PeriodState.PUBLISHED, published_at__gte=recently):
            _published_reminders(period, outcome)
    return outcome
