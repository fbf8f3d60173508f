"""«Mine tiltak» lists the advisory council's comments on the caseworker's measures that wait for an answer, with a
link to the comment on the measure's page where the answer form is open."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.roles import Role
from measures.services import post_comment
from tests.factories import make_commitment, make_measure, make_organisation, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    return make_organisation(name="Etat for sosiale tjenester")


@pytest.fixture
def kari(unit):
    return make_person("kari", Role.CASEWORKER, [unit], first_name="Kari", last_name="Nordmann")


@pytest.fixture
def fagrad():
    return make_person("frida", Role.FAGRAD, first_name="Frida", last_name="Fagråd")


def waiting_section(client):
    page = client.get(reverse("my_measures")).text
    return page.split('id="unanswered-heading"')[1].split("</section>")[0]


def test_only_unanswered_comments_on_my_units_measures_wait_for_me(client, kari, unit, fagrad):
    mine = make_measure(title="Lavterskel helsetilbud", responsible_unit=unit)
    question = post_comment(user=fagrad, body="Når kommer evalueringen?", measure=mine)
    answered = post_comment(user=fagrad, body="Er budsjettet avklart?", measure=mine)
    post_comment(user=kari, body="Ja, i oktober.", reply_to=answered)
    other = make_measure(title="En annen enhets tiltak", responsible_unit=make_organisation())
    post_comment(user=fagrad, body="Spørsmål til en annen enhet.", measure=other)
    post_comment(user=fagrad, body="Om en forpliktelse.", commitment=make_commitment(title="Punkt om bolig"))
    client.force_login(kari)

    section = waiting_section(client)

    assert "Kommentarer som venter på svar (1)" in section
    assert "Når kommer evalueringen?" in section and "Frida Fagråd" in section and "Lavterskel helsetilbud" in section
    assert "Er budsjettet avklart?" not in section and "annen enhet" not in section and "forpliktelse" not in section
    link = re.search(r'href="([^"]*\?svar=\d+#comment-\d+)"', section).group(1).replace("&amp;", "&")
    assert link == f"{reverse('measure_detail', args=[mine.pk])}?svar={question.pk}#comment-{question.pk}"


def test_the_answer_link_opens_the_answer_form_of_that_comment_and_the_answer_clears_it(client, kari, unit, fagrad):
    measure = make_measure(responsible_unit=unit)
    first = post_comment(user=fagrad, body="Første spørsmål.", measure=measure)
    second = post_comment(user=fagrad, body="Andre spørsmål.", measure=measure)
    client.force_login(kari)

    page = client.get(reverse("measure_detail", args=[measure.pk]), {"svar": second.pk}).text

    def thread(comment):
        return page.split(f'id="comment-{comment.pk}"')[1].split("</article>")[0]

    assert '<details class="ds-details answer-form" open>' in thread(second)
    assert '<details class="ds-details answer-form">' in thread(first)  # only the one linked to is open
    assert f'name="reply_to" value="{second.pk}"' in thread(second)

    response = client.post(
        reverse("add_comment", args=["measure", measure.pk]), {"reply_to": second.pk, "body": "Svar fra Kari."}
    )
    assert response.status_code == 302
    section = waiting_section(client)
    assert "Andre spørsmål." not in section and "Første spørsmål." in section and "(1)" in section


def test_without_waiting_comments_my_measures_says_so(client, kari, unit):
    make_measure(responsible_unit=unit)
    client.force_login(kari)
    assert "Alle kommentarene på tiltakene dine har fått svar." in waiting_section(client)


def test_a_bad_answer_parameter_opens_nothing(client, kari, unit, fagrad):
    measure = make_measure(responsible_unit=unit)
    post_comment(user=fagrad, body="Spørsmål.", measure=measure)
    client.force_login(kari)
    for value in ("abc", "9" * 40, "²", ""):
        page = client.get(reverse("measure_detail", args=[measure.pk]), {"svar": value}).text
        assert "Spørsmål." in page and 'answer-form" open' not in page, value


def test_my_measures_costs_the_same_queries_with_one_and_many_waiting_comments(client, kari, unit, fagrad):
    client.force_login(kari)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("my_measures"))
        assert response.status_code == 200
        return len(queries), response.text

    post_comment(user=fagrad, body="Spørsmål 0", measure=make_measure(responsible_unit=unit))
    one, page = count()
    assert "(1)" in page.split('id="unanswered-heading"')[1].split("</h2>")[0]
    for n in range(1, 6):
        measure = make_measure(responsible_unit=unit)
        post_comment(
            user=make_person(f"fagrad{n}", Role.FAGRAD, first_name="F", last_name=str(n)),
            body=f"Spørsmål {n}",
            measure=measure,
        )
    many, page = count()
    assert "(6)" in page.split('id="unanswered-heading"')[1].split("</h2>")[0]
    assert one == many, (one, many)


def test_the_answer_link_gives_nobody_an_answer_form_they_may_not_use(client, unit, fagrad):
    measure = make_measure(responsible_unit=unit)
    question = post_comment(user=fagrad, body="Spørsmål.", measure=measure)
    outsider = make_person("ola", Role.CASEWORKER, [make_organisation()], first_name="Ola", last_name="Utenfor")
    for person in (None, fagrad, outsider, make_person("lise", Role.READER, first_name="Lise", last_name="Leser")):
        if person is not None:
            client.force_login(person)
        page = client.get(reverse("measure_detail", args=[measure.pk]), {"svar": question.pk}).text
        assert "Spørsmål." in page and "answer-form" not in page, person
        client.logout()
