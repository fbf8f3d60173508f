"""Issue 11.11: the accessibility statement says what the site meets of WCAG 2.1 AA, what it does not yet and where
to report a problem, and every page's footer links to it."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import make_measure

pytestmark = pytest.mark.django_db


def test_the_statement_names_the_standard_what_is_not_met_and_the_contact_from_the_settings(
    client, settings, django_assert_num_queries
):
    settings.ACCESSIBILITY_CONTACT = "uu@bergen.kommune.no"
    with django_assert_num_queries(0):
        response = client.get(reverse("accessibility_statement"))
    text = response.content.decode()
    assert "<h1" in text and "Tilgjengelighetserklæring" in text
    assert "WCAG" in text and "2.1" in text and "AA" in text
    assert "Hva tjenesten ikke oppfyller ennå" in text
    assert 'href="mailto:uu@bergen.kommune.no"' in text
    assert "uutilsynet.no" in text
    assert "1. desember 2026" in text  # the day it was last checked, in Norwegian


def test_the_statement_in_english(client):
    client.get(reverse("choose_language", args=["en"]))
    text = client.get(reverse("accessibility_statement")).content.decode()
    assert "Accessibility statement" in text and "What the service does not meet yet" in text
    assert f'href="mailto:{settings.ACCESSIBILITY_CONTACT}"' in text


def test_the_default_contact_is_the_services_own_address():
    assert settings.ACCESSIBILITY_CONTACT == settings.DEFAULT_FROM_EMAIL


def test_every_page_links_to_the_statement_in_its_footer(client, caseworker):
    measure = make_measure()
    link = f'href="{reverse("accessibility_statement")}"'
    for url in [
        reverse("home"),
        reverse("measure_list"),
        reverse("measure_detail", args=[measure.pk]),
        "/finnes-ikke/",
    ]:
        text = client.get(url).content.decode()
        footer = text[text.index("<footer") :]
        assert link in footer, url
    client.force_login(caseworker)
    text = client.get(reverse("password_change")).content.decode()
    assert link in text[text.index("<footer") :]
    # The server error page is plain HTML (it must render when nothing else does) and links to it too.
    error_page = (Path(settings.BASE_DIR) / "templates" / "500.html").read_text(encoding="utf-8")
    assert 'href="/tilgjengelighet/"' in error_page[error_page.index("<footer") :]
    assert reverse("accessibility_statement") == "/tilgjengelighet/"
