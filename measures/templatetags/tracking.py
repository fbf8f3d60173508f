"""Template tags for the tracking pages: status badges, navigation, query strings."""

from urllib.parse import urlencode

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from bergen_rus.formats import number_text
from decisions.status import CommitmentStatus

from ..models import public_name
from ..status import MeasureStatus, shown_status

register = template.Library()


@register.inclusion_tag("includes/status_badge.html")
def measure_status(measure):
    """The badge of a measure's current status («Not reported» when nobody has reported yet)."""
    status = shown_status(measure.current_status)
    return {"value": status.value, "label": status.label}


@register.inclusion_tag("includes/status_badge.html")
def update_status(update):
    status = MeasureStatus(update.status)
    return {"value": status.value, "label": status.label}


@register.inclusion_tag("includes/status_badge.html")
def commitment_status(commitment_or_value):
    value = getattr(commitment_or_value, "status", commitment_or_value)
    status = CommitmentStatus(value)
    return {"value": status.value, "label": status.label, "description": status.description}


@register.simple_tag(takes_context=True)
def nav_current(context, *url_names):
    """The attribute aria-current="page" when the current page belongs to one of these URL names, else nothing."""
    match = getattr(context.get("request"), "resolver_match", None)
    return mark_safe(' aria-current="page"') if match and match.url_name in url_names else ""


@register.simple_tag
def with_query(url_name, *args, **params):
    """A URL with a query string, e.g. {% with_query 'measure_list' late='yes' %}."""
    url = reverse(url_name, args=args)
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    return f"{url}?{query}" if query else url


@register.simple_tag
def status_meaning(value):
    """What a measure status means, for the report form's choices."""
    try:
        return MeasureStatus(value).description
    except ValueError:
        return ""


@register.inclusion_tag("includes/status_badge.html")
def status_value(value):
    """The badge of a measure status value (None: not reported)."""
    status = shown_status(value)
    return {"value": status.value, "label": status.label}


@register.simple_tag
def signed_difference(now, before):
    """+3, −2 or 0: how a count changed (with a real minus sign)."""
    difference = (now or 0) - (before or 0)
    if difference > 0:
        return f"+{difference}"
    return f"\u2212{-difference}" if difference < 0 else "0"


@register.filter
def timeuntil_delta(delta):
    """A timedelta in words («15 minutter»), for how long a lock-out lasts."""
    now = timezone.now()
    return timesince(now, now + delta)


@register.simple_tag
def status_label(value):
    """The plain label of a measure status value (None: not reported), for print."""
    return shown_status(value).label


@register.simple_tag
def report_date(update, fmt="DATE_FORMAT"):
    """The day a status describes (StatusUpdate.applies_on), formatted, or «undated» for a status a document states
    without a date; the moment it was loaded into the database is never shown as its date."""
    if update is None:
        return ""
    day = update.applies_on
    return date_filter(day, fmt) if day else _("undated")


@register.filter(name="report_date_filter")
def report_date_filter(update):
    """report_date as a filter (for use inside blocktranslate)."""
    return report_date(update)


@register.filter
def report_when(update):
    """«reported 3. mars 2026» for a person's report; «stated in the source, 3. mars 2019» or «stated in the source,
    undated» for a status a public document states."""
    if update is None:
        return ""
    if update.author_id is not None:
        return _("reported %(date)s") % {"date": report_date(update)}
    return _("stated in the source, %(date)s") % {"date": report_date(update)}


@register.filter
def number(value):
    """A number in Norwegian writing (bergen_rus.formats.number_text); empty for None."""
    return "" if value is None else number_text(value)


@register.filter(name="public_name")
def public_name_filter(user):
    """The name a person is shown by (measures.models.public_name), never their user name."""
    return public_name(user)


@register.filter
def inline_note(text):
    """A note written as its own sentence («Udatert. Trolig 2014.»), made to sit inside a line in parentheses:
    first letter small, no full stop at the end («udatert. Trolig 2014»)."""
    text = (text or "").strip().rstrip(".")
    return text[:1].lower() + text[1:]
