"""The data's version, and the cache of what is rendered from it.

Every change to a project record moves the single ChangeStamp row on (from the save, delete and many-to-many signals
connected in MeasuresConfig.ready, and explicitly from the bulk writers that bypass signals). Rendered reports and
public pages are cached under a key that includes the stamp, so unchanged data is rendered once and a change makes
every cached copy stale at once, in every worker process.
"""

import hashlib

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import ChangeStamp


def touch(**_signal_kwargs):
    """Move the stamp on: something changed. Safe to call from a signal receiver or a bulk writer."""
    now = timezone.now()
    updated = ChangeStamp.objects.filter(pk=1).update(counter=F("counter") + 1, changed_at=now)
    if not updated:
        with transaction.atomic():
            ChangeStamp.objects.get_or_create(pk=1, defaults={"counter": 1, "changed_at": now})


def data_version():
    """The current stamp as a string, e.g. "17"; one query."""
    counter = ChangeStamp.objects.filter(pk=1).values_list("counter", flat=True).first()
    return str(counter or 0)


def last_change():
    """When the data last changed (None before the first change)."""
    return ChangeStamp.objects.filter(pk=1).values_list("changed_at", flat=True).first()


def cache_key(kind, *parts):
    """A cache key for `kind` rendered from these parts (e.g. a report's filters, language and data version)."""
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:32]
    return f"bergen_rus:{kind}:{digest}"


def cached_render(kind, parts, render):
    """Return `render()` from the cache under `kind` and `parts` plus the data version, rendering it on a miss.

    Returns (value, hit). `parts` must name everything the result depends on besides the data (filters, language).
    """
    key = cache_key(kind, data_version(), *parts)
    value = cache.get(key)
    if value is not None:
        return value, True
    value = render()
    cache.set(key, value)
    return value, False
