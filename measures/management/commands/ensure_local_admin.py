"""Create a local administrator for trying the application, and say how to log in.

Only with DEBUG on: production never gets a user with a known password. The password is generated once, kept in
var/local-admin.txt (readable by the owner only) and printed on every run, until the user changes it.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"
CREDENTIALS = settings.BASE_DIR / "var" / "local-admin.txt"


class Command(BaseCommand):
    help = "Create the local administrator 'admin' (DEBUG only) and print how to log in."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Refusing to create a local administrator with DEBUG off (production settings).")
        user_model = get_user_model()
        user = user_model.objects.filter(username=USERNAME).first()
        stored = CREDENTIALS.read_text().strip() if CREDENTIALS.exists() else ""
        if user is None:
            password = secrets.token_urlsafe(12)
            user_model.objects.create_superuser(USERNAME, email="", password=password)
            CREDENTIALS.parent.mkdir(parents=True, exist_ok=True)
            CREDENTIALS.write_text(password + "\n")
            CREDENTIALS.chmod(0o600)
            stored = password
        self.stdout.write("Log in to the back office at http://127.0.0.1:8000/admin/")
        if stored and user_model.objects.get(username=USERNAME).check_password(stored):
            self.stdout.write(f"  user: {USERNAME}   password: {stored}")
        else:
            self.stdout.write(
                f"  user: {USERNAME}   (you have changed its password; reset it with "
                f"`.venv/bin/python manage.py changepassword {USERNAME}`)"
            )
