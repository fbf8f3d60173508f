"""Issue 11.3 and 11.6 in the browser: a coordinator creates a person, who chooses a password from the e-mail's link
and logs in; a caseworker finds the advisory council's question waiting in «Mine tiltak» and answers it."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from measures.people import roles_of
from measures.roles import Role
from measures.services import post_comment
from tests.factories import make_person

from .conftest import log_in, watch
from .test_keyboard import tab_to

pytestmark = pytest.mark.browser


def test_a_coordinator_creates_a_caseworker_who_sets_a_password_from_the_email_and_logs_in(page, open_context, world):
    watcher = watch(page)
    log_in(page, world.coordinator)
    page.locator("nav.site-nav").get_by_role("link", name="Personer").click()
    expect(page.locator("main h1")).to_have_text("Personer")
    main = page.locator("main")
    main.get_by_role("link", name="Ny person").click()

    main.get_by_label("Fornavn").fill("Nina")
    main.get_by_label("Etternavn").fill("Nyansatt")
    main.get_by_label("E-postadresse").fill("nina.nyansatt@bergen.kommune.no")
    main.get_by_role("radio", name="Saksbehandler").check()
    main.get_by_role("checkbox", name=world.unit.name, exact=True).check()
    with page.expect_navigation():
        main.get_by_role("button", name="Opprett og send e-posten").click()

    expect(page.locator(".messages")).to_contain_text("En e-post med lenke for å velge passord er sendt til")
    expect(main.locator("h1")).to_have_text("Nina Nyansatt")
    expect(main.locator("#trail-heading + ol")).to_contain_text("Kari Koordinator")
    nina = get_user_model().objects.get(email="nina.nyansatt@bergen.kommune.no")
    assert roles_of(nina) == {Role.CASEWORKER} and list(nina.units.all()) == [world.unit]
    assert not nina.is_staff and not nina.is_superuser

    (message,) = [m for m in mail.outbox if m.to == ["nina.nyansatt@bergen.kommune.no"]]
    link = re.search(r"https?://\S+/konto/nytt-passord/\S+/", message.body).group(0)
    path = "/" + link.split("/", 3)[3]  # the live server's address instead of SITE_URL's

    # Nina, in her own browser: the link, a password, and in.
    nina_page = open_context().new_page()
    nina_watcher = watch(nina_page)
    nina_page.goto(path)
    nina_main = nina_page.locator("main")
    nina_main.locator("#id_new_password1").fill("Nina-sitt-lange-passord")
    nina_main.locator("#id_new_password2").fill("Nina-sitt-lange-passord")
    with nina_page.expect_navigation():
        nina_main.locator("form button[type=submit]").click()
    expect(nina_page).to_have_url(re.compile(re.escape(reverse("password_reset_complete")) + "$"))
    nina_page.goto(reverse("login"))
    nina_main.locator("#id_username").fill("nina.nyansatt@bergen.kommune.no")
    nina_main.locator("#id_password").fill("Nina-sitt-lange-passord")
    with nina_page.expect_navigation():
        nina_main.locator("form button[type=submit]").click()
    nina_page.locator("nav.site-nav").get_by_role("link", name="Mine tiltak").click()
    expect(nina_page.locator("main h1")).to_have_text("Mine tiltak")
    expect(nina_main).to_contain_text(world.unit.name)

    # The coordinator deactivates her again: her next request is no longer logged in.
    page.reload()
    with page.expect_navigation():
        main.get_by_role("button", name="Deaktiver").click()
    expect(page.locator(".messages")).to_contain_text("Nina Nyansatt er deaktivert")
    nina_page.goto(reverse("my_measures"))
    expect(nina_page).to_have_url(re.compile(re.escape(reverse("login"))))
    assert watcher.take() == [] and nina_watcher.take() == []


def test_a_caseworker_answers_the_question_waiting_in_my_measures(page, world):
    watcher = watch(page)
    fagrad = make_person("fagrad", Role.FAGRAD, first_name="Frida", last_name="Fagråd")
    question = post_comment(user=fagrad, body="Hvor mange har fått plass hittil?", measure=world.measure)
    log_in(page, world.caseworker, reverse("my_measures"))
    main = page.locator("main")
    waiting = main.locator("section.unanswered")
    expect(waiting.locator("h2")).to_have_text("Kommentarer som venter på svar (1)")
    expect(waiting).to_contain_text("Hvor mange har fått plass hittil?")

    waiting.get_by_role("link", name=re.compile("^Svar")).click()
    expect(page).to_have_url(re.compile(rf"\?svar={question.pk}#comment-{question.pk}$"))
    thread = main.locator(f"#comment-{question.pk}")
    expect(thread).to_be_in_viewport()
    answer = thread.get_by_label("Svaret ditt")
    expect(answer).to_be_visible()  # the answer form is open
    answer.fill("Tolv personer har fått plass.")
    with page.expect_navigation():
        thread.get_by_role("button", name="Send svar").click()
    expect(main.locator(f"#comment-{question.pk}")).to_contain_text("Tolv personer har fått plass.")

    page.locator("nav.site-nav").get_by_role("link", name="Mine tiltak").click()
    expect(waiting.locator("h2")).to_have_text("Kommentarer som venter på svar (0)")
    assert watcher.take() == []


def test_a_coordinator_creates_a_person_by_keyboard_alone(page, world):
    watcher = watch(page)
    log_in(page, world.coordinator)
    tab_to(page, f"nav.site-nav a[href='{reverse('person_list')}']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, f"main a[href='{reverse('add_person')}']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "#id_first_name")
    page.keyboard.type("Tor")
    tab_to(page, "#id_last_name")
    page.keyboard.type("Tastatur")
    tab_to(page, "#id_email")
    page.keyboard.type("tor.tastatur@bergen.kommune.no")
    tab_to(page, "input[name=role]:checked")  # a radio group is one Tab stop; the arrows choose within it
    page.keyboard.press("ArrowDown")
    expect(page.locator("input[name=role][value=fagrad]")).to_be_checked()
    tab_to(page, "main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main h1")).to_have_text("Tor Tastatur")
    tor = get_user_model().objects.get(email="tor.tastatur@bergen.kommune.no")
    assert roles_of(tor) == {Role.FAGRAD}
    assert any(m.to == ["tor.tastatur@bergen.kommune.no"] for m in mail.outbox)
    assert watcher.take() == []
