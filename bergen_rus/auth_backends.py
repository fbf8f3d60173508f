"""Django's ModelBackend, with each person's permissions kept in the cache between requests.

Every page a logged-in person opens asks for their permissions (the menu shows what their role may do), which is two
queries (their own permissions and their groups') in every request. Here the set is read from the cache under the
person, whether they are a superuser, and the version of all roles and rights; any change to a role, a person's
roles or their own permissions (the signals connected in `connect`) moves the version on at once and again when the
change is committed, so nobody keeps a right that was taken away past that commit.
"""

import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "bergen_rus:permissions-version"
PERMISSIONS_SECONDS = 60 * 60


def permissions_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        fresh = uuid.uuid4().hex
        cache.add(VERSION_KEY, fresh, None)
        version = cache.get(VERSION_KEY) or fresh
    return version


def _new_version():
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def rights_changed(**_signal_kwargs):
    """A role, a person's roles or their own permissions changed: forget every cached permission set."""
    _new_version()
    transaction.on_commit(_new_version)


class CachedPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            key = f"bergen_rus:permissions:{user_obj.pk}:{int(user_obj.is_superuser)}:{permissions_version()}"
            permissions = cache.get(key)
            if permissions is None:
                permissions = super().get_all_permissions(user_obj)
                cache.set(key, permissions, PERMISSIONS_SECONDS)
            user_obj._perm_cache = set(permissions)
        return user_obj._perm_cache


def connect():
    """Connect the signals that move the version on (from the project's AppConfig.ready)."""
    user_model = get_user_model()
    for sender in (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(rights_changed, sender=sender, dispatch_uid=f"bergen_rus.rights.{sender._meta.label}")
    for sender in (Group, Permission):
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(rights_changed, sender=sender, dispatch_uid=f"bergen_rus.rights.{sender._meta.label}.{name}")
