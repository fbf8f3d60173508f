"""Create (or update) a person with a role and the units they report for.

    python manage.py create_user kari --role caseworker --unit "Bergen kommune" --email kari@bergen.kommune.no

The password is read from the environment variable named by --password-env (default BERGEN_RUS_PASSWORD) or asked
for at the prompt; it is checked against the password rules. A unit is named by its name, short name or number. The
change is written by measures.people.save_person_from_shell and is in the person's history on the people page.
"""

import getpass
import os

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from ...models import Organisation
from ...people import save_person_from_shell
from ...roles import Role


class Command(BaseCommand):
    help = "Create or update a user with a role (coordinator, caseworker, fagrad, reader) and units."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--unit", action="append", default=[], help="A unit the user reports for (repeatable).")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--password-env", default="BERGEN_RUS_PASSWORD")
        parser.add_argument("--staff", action="store_true", help="Also give access to the back office (/admin/).")

    def handle(self, *args, username, role, unit, email, first_name, last_name, password_env, staff, **options):
        units = [self._unit(name) for name in unit]
        user = get_user_model().objects.filter(username=username).first() or get_user_model()(username=username)
        if not (first_name or user.first_name) or not (last_name or user.last_name):
            raise CommandError("Give --first-name and --last-name: reports and comments are signed with the name.")
        if staff and role != Role.COORDINATOR:
            raise CommandError("Only coordinators work in the back office (/admin/); leave out --staff.")
        if role == Role.CASEWORKER and not units:
            raise CommandError("A caseworker needs at least one --unit to report for.")
        user.email = email or user.email
        user.first_name = first_name or user.first_name
        user.last_name = last_name or user.last_name
        password = os.environ.get(password_env) or self._prompt()
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        save_person_from_shell(
            username=username,
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
            role=role,
            units=units,
            staff=staff or role == Role.COORDINATOR,
            password=password,
        )
        names = ", ".join(str(u) for u in units) or "no unit"
        self.stdout.write(self.style.SUCCESS(f"{username}: {Role(role).label} ({names})."))

    def _unit(self, name):
        query = Q(name__iexact=name) | Q(short_name__iexact=name)
        if name.isdigit():
            query |= Q(pk=int(name))
        matches = list(Organisation.objects.filter(query)[:2])
        if len(matches) != 1:
            raise CommandError(f"No single unit is called {name!r}.")
        return matches[0]

    def _prompt(self):
        if not os.isatty(0):
            raise CommandError(
                "Give the password in the environment (--password-env) or run the command in a terminal."
            )
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password again: "):
            raise CommandError("The two passwords differ.")
        return first
