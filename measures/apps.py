from django.apps import AppConfig, apps
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _

# Apps whose records make up the tracked data: a change to any of them makes cached pages and reports stale.
TRACKED_APPS = {"decisions", "measures"}


def shown_name(user):
    return user.get_full_name() or user.get_username()


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = _("Measures and follow-up")

    def ready(self):
        # Imported here: models can only be imported once the app registry is ready.
        from django.contrib.auth import get_user_model

        import bergen_rus.checks  # noqa: F401 (registers the project's system checks)
        from bergen_rus import auth_backends

        from .caching import touch
        from .models import ChangeStamp, ReminderSent, ReviewVisit, SpreadsheetUpload
        from .roles import ensure_roles
        from .search import register_sqlite_functions

        # SQLite folds text for the search with a function of ours (PostgreSQL stores the folded text).
        connection_created.connect(register_sqlite_functions, dispatch_uid="bergen_rus.sqlite_functions")

        # Wherever Django or a library prints a person (the admin's lists, history pages, choices and autocompletes),
        # it prints the full name the site shows people by, not the user name (half of a login); the user name only
        # for an account without a name.
        get_user_model().__str__ = shown_name

        # A change of roles or rights forgets the permission sets the backend keeps in the cache.
        auth_backends.connect()

        # The role groups and their permissions exist after every migrate (permissions are made post-migrate).
        post_migrate.connect(ensure_roles, sender=self, dispatch_uid="bergen_rus.ensure_roles")

        # People's names are shown on the pages (who reported, who changed what): a change of them, as the back
        # office or a shell makes it, is a change of the data. A login (last_login) or a new password is not.
        def person_saved(update_fields=None, **kwargs):
            if update_fields is None or not set(update_fields) <= {"last_login", "password"}:
                touch(**kwargs)

        post_save.connect(person_saved, sender=get_user_model(), dispatch_uid="bergen_rus.touch.user", weak=False)

        for model in apps.get_models():
            # Bookkeeping rows (visits, reminders sent, uploaded files waiting for their import) change nothing a
            # page or report shows, and a history row is written with the change it records.
            if model._meta.app_label not in TRACKED_APPS or model in (
                ChangeStamp,
                ReminderSent,
                ReviewVisit,
                SpreadsheetUpload,
            ):
                continue
            if any(field.name == "history_id" for field in model._meta.fields):
                continue
            uid = f"bergen_rus.touch.{model._meta.label_lower}"
            post_save.connect(touch, sender=model, dispatch_uid=f"{uid}.save", weak=False)
            post_delete.connect(touch, sender=model, dispatch_uid=f"{uid}.delete", weak=False)
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                m2m_changed.connect(touch, sender=through, dispatch_uid=f"{uid}.{field.name}", weak=False)
