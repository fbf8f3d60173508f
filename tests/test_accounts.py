"""Accounts: logging in, changing a forgotten password by e-mail, changing one's password."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "et-nytt-og-langt-passord-7"


def test_the_login_form_is_in_the_design_systems_markup_and_logs_in(client):
    make_user("kari", first_name="Kari", last_name="Nordmann")
    page = client.get(reverse("login")).text
    for name in ("username", "password"):
        assert re.search(
            rf'<input[^>]*name="{name}"[^>]*class="ds-input"|<input[^>]*class="ds-input"[^>]*name="{name}"', page
        )
    refused = client.post(reverse("login"), {"username": "kari", "password": "feil"})
    assert (
        "Du er ikke logget inn" in refused.text
        and "oppgi korrekt brukernavn og passord" in refused.text
        and "_auth_user_id" not in client.session
    )
    assert client.post(reverse("login"), {"username": "kari", "password": "a-long-test-password"}).status_code == 302
    assert "_auth_user_id" in client.session


def test_a_forgotten_password_is_reset_through_a_link_sent_by_e_mail(client):
    kari = make_user("kari", email="kari@bergen.kommune.no")
    response = client.post(reverse("password_reset"), {"email": "kari@bergen.kommune.no"})
    assert response.status_code == 302
    # An unknown address gets the same answer and no mail: nobody learns which addresses have accounts.
    assert client.post(reverse("password_reset"), {"email": "ukjent@example.no"}).url == response.url
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["kari@bergen.kommune.no"]
    body = mail.outbox[0].body
    assert "Brukernavnet ditt: kari" in body
    link = re.search(r"https?://[^/\s]+(/konto/nytt-passord/\S+/)", body).group(1)

    form = client.get(link, follow=True)
    assert 'name="new_password1"' in form.text and 'class="ds-input"' in form.text
    target = form.redirect_chain[-1][0]
    mismatch = client.post(target, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"})
    assert "ikke like" in mismatch.text or "stemmer ikke" in mismatch.text
    done = client.post(target, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    kari.refresh_from_db()
    assert kari.check_password(NEW_PASSWORD)
    # The link is used up.
    assert "new_password1" not in client.get(link, follow=True).text


def test_a_logged_in_person_changes_their_password(client):
    kari = make_user("kari")
    client.force_login(kari)
    wrong = client.post(
        reverse("password_change"),
        {"old_password": "feil", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert 'id="id_old_password_error"' in wrong.text
    assert get_user_model().objects.get(pk=kari.pk).check_password("a-long-test-password")
    response = client.post(
        reverse("password_change"),
        {"old_password": "a-long-test-password", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert get_user_model().objects.get(pk=kari.pk).check_password(NEW_PASSWORD)


def test_asking_for_a_reset_again_and_again_sends_a_few_mails_not_a_flood(client, memory_cache):
    make_user("kari", email="kari@bergen.kommune.no")
    answers = {client.post(reverse("password_reset"), {"email": "Kari@Bergen.kommune.no"}).url for _ in range(6)}
    assert len(answers) == 1  # the same answer every time
    assert len(mail.outbox) == 3
