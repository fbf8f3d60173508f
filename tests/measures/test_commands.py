"""The commands `make run` calls (real records once, local users for DEBUG only) and create_user."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from decisions.models import Commitment, Source
from measures.models import PeriodState, ReportingPeriod
from measures.roles import Role
from tests.factories import make_measure, make_organisation

pytestmark = pytest.mark.django_db


def test_loading_the_real_records_twice_never_overwrites_a_users_change(capsys):
    call_command("load_real_records")
    commitment = Commitment.objects.order_by("pk").first()
    commitment.title = "Endret av en koordinator"
    commitment.save()
    total = Commitment.objects.count()

    call_command("load_real_records")

    assert Commitment.objects.get(pk=commitment.pk).title == "Endret av en koordinator"
    assert Commitment.objects.count() == total
    assert "nothing loaded" in capsys.readouterr().out


def test_loaded_records_start_their_audit_history_as_an_import():
    call_command("load_real_records")
    for model in [Source, Commitment]:
        for record in model.objects.all():
            first = record.history.earliest("history_date")
            assert first.history_type == "+"
            assert first.history_change_reason.startswith("Import av faste data")


def roles_of(user):
    return {Role(name) for name in user.groups.values_list("name", flat=True)}


def test_local_users_get_one_role_each_and_new_printed_passwords_on_every_run(settings, capsys):
    settings.DEBUG = True
    unit = make_organisation(name="Etat for sosiale tjenester")
    make_measure(responsible_unit=unit)
    call_command("setup_local_users")
    first = capsys.readouterr().out
    users = {user.username: user for user in get_user_model().objects.all()}
    assert set(users) == {"koordinator", "saksbehandler", "fagrad", "leser"}
    for username, role in [
        ("koordinator", "coordinator"),
        ("saksbehandler", "caseworker"),
        ("fagrad", "fagrad"),
        ("leser", "reader"),
    ]:
        assert roles_of(users[username]) == {Role(role)}
        password = re.search(rf"^  {username}\s+(\S+)", first, re.M).group(1)
        assert users[username].check_password(password)
    assert list(users["saksbehandler"].units.all()) == [unit]
    assert not users["koordinator"].is_superuser and users["koordinator"].is_staff
    assert ReportingPeriod.objects.get(state=PeriodState.OPEN)

    call_command("setup_local_users")
    second = capsys.readouterr().out
    old = re.search(r"^  leser\s+(\S+)", first, re.M).group(1)
    new = re.search(r"^  leser\s+(\S+)", second, re.M).group(1)
    assert old != new and get_user_model().objects.get(username="leser").check_password(new)
    assert get_user_model().objects.count() == 4


def test_local_users_are_never_made_with_production_settings(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("setup_local_users")
    assert not get_user_model().objects.exists()


def test_create_user_gives_the_role_and_units_with_a_password_from_the_environment(monkeypatch):
    unit = make_organisation(name="Helse Bergen", short_name="HB")
    monkeypatch.setenv("BERGEN_RUS_PASSWORD", "et-langt-og-godt-passord-42")
    call_command(
        "create_user",
        "kari",
        "--role",
        "caseworker",
        "--unit",
        "hb",
        "--email",
        "kari@example.no",
        "--first-name",
        "Kari",
        "--last-name",
        "Nordmann",
    )
    kari = get_user_model().objects.get(username="kari")
    assert kari.check_password("et-langt-og-godt-passord-42") and kari.email == "kari@example.no"
    assert roles_of(kari) == {Role.CASEWORKER} and list(kari.units.all()) == [unit]

    call_command("create_user", "kari", "--role", "reader")
    kari = get_user_model().objects.get(username="kari")
    assert roles_of(kari) == {Role.READER} and not kari.units.exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--role", "caseworker"], "needs at least one --unit"),
        (["--role", "caseworker", "--unit", "Finnes ikke"], "No single unit"),
        (["--role", "boss"], "invalid choice"),
        (["--role", "reader", "--first-name", "Ola"], "--last-name"),
        (["--role", "reader", "--first-name", "Ola", "--last-name", "N", "--staff"], "Only coordinators"),
    ],
)
def test_create_user_refuses_what_it_cannot_do(monkeypatch, arguments, message):
    monkeypatch.setenv("BERGEN_RUS_PASSWORD", "et-langt-og-godt-passord-42")
    names = [] if "--first-name" in arguments else ["--first-name", "Ola", "--last-name", "Nordmann"]
    with pytest.raises(CommandError, match=message):
        call_command("create_user", "ola", *arguments, *names)
    assert not get_user_model().objects.exists()


def test_create_user_refuses_a_weak_password(monkeypatch):
    make_organisation(name="Etat")
    monkeypatch.setenv("BERGEN_RUS_PASSWORD", "123")
    with pytest.raises(CommandError):
        call_command("create_user", "ola", "--role", "reader", "--first-name", "Ola", "--last-name", "Nordmann")
    assert not get_user_model().objects.exists()
