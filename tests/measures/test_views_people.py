"""Coordinators onboard people in the browser: the people page, the set-password e-mail, roles, units, deactivation,
what a coordinator can never give, two coordinators at once, and the history of every change."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import PersonChange, PersonChangeKind
from measures.people import create_person, roles_of, set_person_active, update_person
from measures.roles import Role
from tests.factories import make_organisation, make_person

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def unit():
    return make_organisation(name="Etat for sosiale tjenester")


@pytest.fixture
def other_unit():
    return make_organisation(name="Helse Bergen")


@pytest.fixture
def anne():
    return make_person("anne", Role.COORDINATOR, first_name="Anne", last_name="Koordinator", email="anne@b.no")


@pytest.fixture
def bjorn():
    return make_person("bjorn", Role.COORDINATOR, first_name="Bjørn", last_name="Bakke")


@pytest.fixture
def kari(unit):
    return make_person("kari", Role.CASEWORKER, [unit], first_name="Kari", last_name="Nordmann", email="kari@b.no")


def new_person(**data):
    person = {"first_name": "Per", "last_name": "Hansen", "email": "per.hansen@bergen.kommune.no", "role": "reader"}
    return {**person, **data}


def edit_data(person, **data):
    """The person's page's form as it was opened now, with `data` changed."""
    role = next(iter(roles_of(User.objects.get(pk=person.pk))), None)
    form = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "role": role.value if role else "",
        "units": [unit.pk for unit in person.units.all()],
        "seen_version": PersonChange.objects.filter(person=person).count(),
    }
    form.update(data)
    return form


PASSWORD = "a-long-test-password"  # every user made by tests.factories.make_user has it


def logs_in(client, username, password=PASSWORD):
    """Whether the login form lets this person in."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def error_of(page, field):
    match = re.search(rf'id="id_{field}_error">([^<]*)<', page)
    return match.group(1) if match else None


# --- Who may -----------------------------------------------------------------------------------------------------


def every_request(person, target):
    """Every request of the people page, as (method, url, data)."""
    detail = reverse("person_detail", args=[target.pk])
    return [
        ("get", reverse("person_list"), None),
        ("get", reverse("add_person"), None),
        ("post", reverse("add_person"), new_person(email="ny@b.no")),
        ("get", detail, None),
        ("post", detail, edit_data(target, first_name="Endret")),
        ("post", reverse("change_person_state", args=[target.pk, "deaktiver"]), {}),
        ("post", reverse("change_person_state", args=[target.pk, "aktiver"]), {}),
        ("post", reverse("change_person_state", args=[target.pk, "send-passord"]), {}),
    ]


@pytest.mark.parametrize("role", [None, Role.READER, Role.FAGRAD, Role.CASEWORKER])
def test_everybody_but_a_coordinator_is_refused_every_page_and_every_change(client, role, unit, kari):
    if role is not None:
        client.force_login(make_person(f"person-{role}", role, [unit] if role == Role.CASEWORKER else []))
    before = list(User.objects.order_by("pk").values_list("pk", "first_name", "is_active"))
    for method, url, data in every_request(role, kari):
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        if role is None:
            assert response.status_code == 302 and response.url.startswith(reverse("login")), url
        else:
            assert response.status_code == 403, (role, method, url)
            assert "Bare koordinatorer" in response.text, url
            assert "koordinatorer gir folk rolle og enheter på siden «Personer»" in response.text, url
    assert list(User.objects.order_by("pk").values_list("pk", "first_name", "is_active")) == before
    assert not PersonChange.objects.exists() and not mail.outbox
    if role is not None:
        assert 'href="/personer/"' not in client.get(reverse("home")).text


def test_a_superuser_is_listed_but_never_changed_by_a_coordinator(client, anne):
    boss = User.objects.create_superuser("sjef", "sjef@b.no", "a-long-test-password", first_name="Sjef", last_name="S")
    client.force_login(anne)
    listing = client.get(reverse("person_list")).text
    row = listing.split("Sjef S")[1].split("</tr>")[0]
    assert "forvaltes på administrasjonssidene" in row
    assert reverse("person_detail", args=[boss.pk]) not in listing
    for method, url, data in every_request(None, boss)[3:]:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        assert response.status_code == 403, url
        assert "Noe kan bare en superbruker gjøre, på administrasjonssidene (/admin/)." in response.text
    boss.refresh_from_db()
    assert (boss.first_name, boss.is_active, boss.is_superuser) == ("Sjef", True, True)


# --- Creating a person and the set-password e-mail -------------------------------------------------------------


def test_a_coordinator_creates_a_caseworker_who_chooses_a_password_from_the_email(client, anne, unit):
    client.force_login(anne)
    response = client.post(
        reverse("add_person"), new_person(role="caseworker", units=[unit.pk], email="Per.Hansen@Bergen.kommune.no")
    )

    per = User.objects.get(email="Per.Hansen@Bergen.kommune.no")
    assert response.status_code == 302 and response.url == reverse("person_detail", args=[per.pk])
    assert per.username == "per.hansen@bergen.kommune.no" and per.get_full_name() == "Per Hansen"
    assert roles_of(per) == {Role.CASEWORKER} and list(per.units.all()) == [unit]
    assert not per.has_usable_password() and not per.is_staff and not per.is_superuser
    assert per.user_permissions.count() == 0
    page = client.get(response.url).text
    assert "En e-post med lenke for å velge passord er sendt til Per.Hansen@Bergen.kommune.no" in page
    trail = page.split('id="trail-heading"')[1]
    assert "Anne Koordinator" in trail and "opprettet" in trail and "Etat for sosiale tjenester" in trail

    (message,) = mail.outbox
    assert message.to == ["Per.Hansen@Bergen.kommune.no"] and "Hei Per Hansen" in message.body
    assert "per.hansen@bergen.kommune.no" in message.body  # the user name to log in with
    # Django's «forgotten password» serves only people who have a password, so an expired link means a new e-mail.
    assert "Lenken virker én gang, i 3 døgn" in message.body
    assert "be en koordinator om å sende deg en ny" in message.body
    link = re.search(r"https?://\S+/konto/nytt-passord/\S+/", message.body).group(0)
    client.logout()
    path = "/" + link.split("/", 3)[3]
    form_page = client.get(path, follow=True)
    assert 'name="new_password1"' in form_page.text
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Et-langt-passord-for-Per", "new_password2": "Et-langt-passord-for-Per"},
    )
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    assert logs_in(client, "per.hansen@bergen.kommune.no", "Et-langt-passord-for-Per")
    assert client.get(reverse("my_measures")).status_code == 200
    client.logout()
    assert client.get(path, follow=True).context["validlink"] is False  # the link works once


def test_a_coordinator_can_never_give_more_than_a_coordinator_has(client, anne):
    client.force_login(anne)
    response = client.post(
        reverse("add_person"),
        new_person(role="coordinator", is_staff="on", is_superuser="on", user_permissions="1", groups="1"),
    )
    assert response.status_code == 302
    per = User.objects.get(email="per.hansen@bergen.kommune.no")
    assert roles_of(per) == {Role.COORDINATOR} and per.groups.count() == 1
    assert not per.is_staff and not per.is_superuser and per.user_permissions.count() == 0

    refused = client.post(reverse("add_person"), new_person(email="x@b.no", role="superuser"))
    assert "Velg et gyldig valg" in error_of(refused.text, "role")
    assert not User.objects.filter(email="x@b.no").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"first_name": "   "}, "first_name", "Feltet er påkrevet"),
        ({"last_name": ""}, "last_name", "Feltet er påkrevet"),
        ({"first_name": "x" * 151}, "first_name", "150 eller færre tegn"),
        ({"email": "ikke-en-adresse"}, "email", "gyldig e-postadresse"),
        ({"email": "KARI@b.no"}, "email", "Noen har allerede denne e-postadressen"),
        ({"role": "caseworker"}, "units", "En saksbehandler rapporterer for minst én enhet"),
        ({"units": ["999999"]}, "units", "Velg et gyldig valg"),
        ({"units": ["9" * 40]}, "units", "Velg et gyldig valg"),
    ],
)
def test_bad_input_is_explained_in_norwegian_next_to_the_field_and_creates_nobody(
    client, anne, kari, data, field, message
):
    client.force_login(anne)
    response = client.post(reverse("add_person"), new_person(**data))
    assert response.status_code == 200
    assert message in (error_of(response.text, field) or ""), response.text.split('id="error-summary"')[-1][:500]
    assert 'value="Hansen"' in response.text or field == "last_name"  # what was typed stays
    assert User.objects.count() == 2 and not mail.outbox and not PersonChange.objects.exists()


def test_an_email_that_cannot_be_sent_creates_nobody_and_says_so(client, anne, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, False, 2
    client.force_login(anne)
    response = client.post(reverse("add_person"), new_person())
    assert response.status_code == 200
    assert "E-posten kunne ikke sendes" in response.text and "Ingenting er lagret" in response.text
    assert not User.objects.filter(email="per.hansen@bergen.kommune.no").exists()
    assert not PersonChange.objects.exists()


def test_a_new_link_can_be_sent_and_is_in_the_history(client, anne, kari):
    client.force_login(anne)
    response = client.post(reverse("change_person_state", args=[kari.pk, "send-passord"]), follow=True)
    assert "En e-post med lenke for å velge passord er sendt til kari@b.no" in response.text
    (message,) = mail.outbox
    assert message.to == ["kari@b.no"] and "/konto/nytt-passord/" in message.body
    assert "e-post for å velge passord sendt" in response.text.split('id="trail-heading"')[1]


# --- Changing a person -------------------------------------------------------------------------------------------


def test_a_coordinator_changes_name_role_and_units_and_the_history_shows_old_and_new(client, anne, kari, other_unit):
    client.force_login(anne)
    response = client.post(
        reverse("person_detail", args=[kari.pk]),
        edit_data(kari, last_name="Nordmann-Berg", role="fagrad", units=[other_unit.pk], email="kari.nb@b.no"),
    )
    assert response.status_code == 302
    kari.refresh_from_db()
    assert (kari.last_name, kari.email) == ("Nordmann-Berg", "kari.nb@b.no")
    assert kari.username == "kari"  # a user name that is not the e-mail address stays
    assert roles_of(User.objects.get(pk=kari.pk)) == {Role.FAGRAD} and list(kari.units.all()) == [other_unit]
    page = client.get(response.url).text
    assert "Endringene for Kari Nordmann-Berg er lagret" in page
    trail = page.split('id="trail-heading"')[1]
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", trail)
    assert ("Etternavn", "Nordmann", "Nordmann-Berg") in rows
    assert ("Rolle", "Saksbehandler", "Medlem av fagrådet") in rows
    assert ("Enheter", "Etat for sosiale tjenester", "Helse Bergen") in rows
    assert ("E-postadresse", "kari@b.no", "kari.nb@b.no") in rows
    assert "Anne Koordinator" in trail and "endret" in trail


def test_a_user_name_that_is_the_email_follows_a_new_email(anne):
    per = create_person(actor=anne, first_name="Per", last_name="H", email="per@b.no", role="reader")
    update_person(
        actor=anne,
        person=per,
        seen_version=1,
        first_name="Per",
        last_name="H",
        email="per@c.no",
        role="reader",
        units=[],
    )
    per.refresh_from_db()
    assert per.username == "per@c.no"


def test_a_coordinator_who_is_made_a_reader_loses_the_back_office(client, anne):
    staff = make_person(
        "gammel", Role.COORDINATOR, first_name="Gammel", last_name="Koordinator", email="g@b.no", is_staff=True
    )
    client.force_login(anne)
    client.post(reverse("person_detail", args=[staff.pk]), edit_data(staff, role="reader"))
    staff.refresh_from_db()
    assert not staff.is_staff and roles_of(User.objects.get(pk=staff.pk)) == {Role.READER}
    trail = client.get(reverse("person_detail", args=[staff.pk])).text.split('id="trail-heading"')[1]
    assert "Administrasjonssidene (/admin/)" in trail


def test_nothing_changed_records_nothing(client, anne, kari):
    client.force_login(anne)
    response = client.post(reverse("person_detail", args=[kari.pk]), edit_data(kari), follow=True)
    assert "Ingenting ble endret" in response.text
    assert not PersonChange.objects.exists()


def test_a_coordinator_cannot_change_their_own_role_or_deactivate_themselves(client, anne, unit):
    client.force_login(anne)
    page = client.get(reverse("person_detail", args=[anne.pk])).text
    assert "<strong>Rolle:</strong> Koordinator. Du kan ikke endre din egen rolle" in page
    assert 'name="role"' not in page
    assert "Du kan ikke deaktivere deg selv" in page and "/deaktiver/" not in page

    client.post(reverse("person_detail", args=[anne.pk]), edit_data(anne, role="reader", units=[unit.pk]))
    anne.refresh_from_db()
    assert roles_of(User.objects.get(pk=anne.pk)) == {Role.COORDINATOR}
    assert list(anne.units.all()) == [unit]  # the rest of the form is saved

    refused = client.post(reverse("change_person_state", args=[anne.pk, "deaktiver"]))
    assert refused.status_code == 403 and "Du kan ikke deaktivere deg selv" in refused.text
    anne.refresh_from_db()
    assert anne.is_active


def test_a_deactivated_person_cannot_log_in_and_can_be_reactivated(client, anne, kari):
    client.force_login(anne)
    response = client.post(reverse("change_person_state", args=[kari.pk, "deaktiver"]), follow=True)
    assert "Kari Nordmann er deaktivert og kan ikke lenger logge inn" in response.text
    kari.refresh_from_db()
    client.logout()
    assert not kari.is_active and not logs_in(client, "kari")
    client.force_login(anne)
    listing = client.get(reverse("person_list")).text
    assert "deaktivert" in listing.split("Kari Nordmann")[1].split("</tr>")[0]

    response = client.post(reverse("change_person_state", args=[kari.pk, "aktiver"]), follow=True)
    assert "Kari Nordmann er aktiv igjen" in response.text
    client.logout()
    assert logs_in(client, "kari")
    kinds = list(PersonChange.objects.filter(person=kari).order_by("id").values_list("kind", flat=True))
    assert kinds == [PersonChangeKind.DEACTIVATED, PersonChangeKind.REACTIVATED]


def test_an_unknown_action_is_not_found(client, anne, kari):
    client.force_login(anne)
    assert client.post(reverse("change_person_state", args=[kari.pk, "slett"])).status_code == 404


# --- Two coordinators at once ------------------------------------------------------------------------------------


def test_the_second_of_two_coordinators_editing_a_person_is_refused_with_both_versions(
    client, anne, bjorn, kari, other_unit
):
    opened = edit_data(kari)  # both open the page now
    client.force_login(anne)
    anne_saves = {**opened, "last_name": "Annes", "units": [other_unit.pk]}
    assert client.post(reverse("person_detail", args=[kari.pk]), anne_saves).status_code == 302

    client.force_login(bjorn)
    response = client.post(reverse("person_detail", args=[kari.pk]), {**opened, "first_name": "Bjørns"})
    assert response.status_code == 200
    kari.refresh_from_db()
    assert (kari.first_name, kari.last_name) == ("Kari", "Annes")  # Bjørn's save changed nothing
    page = response.text
    assert "Noen andre endret denne personen mens du redigerte" in page
    conflict = page.split('id="conflict-heading"')[1].split("</section>")[0]
    assert "Anne Koordinator" in conflict
    rows = re.findall(r'<th scope="row">([^<]*)</th><td>([^<]*)</td><td>([^<]*)</td>', conflict)
    assert rows == [("Fornavn", "Kari", "Bjørns")]
    # Bjørn's input is kept, and what only Anne changed now stands in his form too.
    assert 'value="Bjørns"' in page and 'value="Annes"' in page
    assert re.search(rf'value="{other_unit.pk}"[^>]*checked', page)
    seen = re.search(r'name="seen_version" value="(\d+)"', page).group(1)
    assert seen == "1"

    again = dict(re.findall(r'<input type="(?:text|email|hidden)" name="(\w+)" value="([^"]*)"', page))
    again.update(role="caseworker", units=[other_unit.pk])
    assert client.post(reverse("person_detail", args=[kari.pk]), again).status_code == 302
    kari.refresh_from_db()
    assert (kari.first_name, kari.last_name) == ("Bjørns", "Annes")  # Anne's change is kept
    assert list(kari.units.all()) == [other_unit]


def test_a_field_both_changed_keeps_the_second_persons_value_when_they_save_again(client, anne, bjorn, kari):
    opened = edit_data(kari)
    client.force_login(anne)
    client.post(reverse("person_detail", args=[kari.pk]), {**opened, "last_name": "Annes"})
    client.force_login(bjorn)
    page = client.post(reverse("person_detail", args=[kari.pk]), {**opened, "last_name": "Bjørns"}).text
    rows = re.findall(r'<th scope="row">([^<]*)</th><td>([^<]*)</td><td>([^<]*)</td>', page)
    assert rows == [("Etternavn", "Annes", "Bjørns")]
    seen = re.search(r'name="seen_version" value="(\d+)"', page).group(1)
    response = client.post(
        reverse("person_detail", args=[kari.pk]), {**opened, "last_name": "Bjørns", "seen_version": seen}
    )
    assert response.status_code == 302
    kari.refresh_from_db()
    assert kari.last_name == "Bjørns"


def test_a_deactivation_meanwhile_makes_an_open_form_stale(anne, bjorn, kari):
    seen = 0
    set_person_active(actor=bjorn, person=kari, active=False)
    with pytest.raises(Exception) as refusal:
        update_person(
            actor=anne,
            person=kari,
            seen_version=seen,
            first_name="K",
            last_name="N",
            email="kari@b.no",
            role="caseworker",
            units=list(kari.units.all()),
        )
    assert getattr(refusal.value, "code", None) == "stale"


# --- Query counts ------------------------------------------------------------------------------------------------


def test_the_people_pages_cost_the_same_queries_with_one_and_many_people(client, anne, unit, other_unit):
    client.force_login(anne)

    def counts(person):
        result = {}
        pages = [
            ("list", reverse("person_list"), person.last_name),
            ("detail", reverse("person_detail", args=[person.pk]), person.last_name),
            ("new", reverse("add_person"), unit.name),
        ]
        for name, url, shown in pages:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200 and shown in response.text
            result[name] = len(queries)
        return result

    first = make_person("en", Role.CASEWORKER, [unit], first_name="En", last_name="Første", email="en@b.no")
    few = counts(first)
    for n in range(8):
        make_person(f"p{n}", Role.CASEWORKER, [unit, other_unit], first_name="P", last_name=f"Nr{n}")
        make_organisation()
    for n in range(6):
        update_person(
            actor=anne,
            person=first,
            seen_version=n,
            first_name="En",
            last_name="Første",
            email=f"en{n}@b.no",
            role="caseworker",
            units=[unit, other_unit] if n % 2 else [unit],
        )
    many = counts(first)
    assert few == many, (few, many)
    # Session and user (2), their permissions (2), the people, their role groups and units (3); the person's page
    # reads the person, role, units, version and history, and the units to choose from.
    assert few["list"] <= 10 and few["detail"] <= 13 and few["new"] <= 8, few
