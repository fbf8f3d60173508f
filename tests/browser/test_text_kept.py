"""Issue 11.2, text is never lost: a refused comment or answer comes back as typed with the reason at its field and
the focus there; the limit is shown before sending; confirmations stand where the person is, focused and announced."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from measures.models import Comment
from measures.roles import Role
from measures.services import post_comment
from tests.factories import make_person

from .conftest import axe_violations, watch

pytestmark = pytest.mark.browser


@pytest.fixture
def fagrad(world):
    return make_person("fagrad", Role.FAGRAD, first_name="Frode", last_name="Fagrådsmedlem")


def test_an_overlong_comment_comes_back_as_typed_with_the_reason_at_the_field_and_the_focus_there(
    logged_in, world, fagrad
):
    page = logged_in(fagrad)
    watcher = watch(page)
    page.goto(reverse("measure_detail", args=[world.measure.pk]))
    form = page.locator("main form.comment-form")
    field = form.get_by_label("Kommentar")
    # The limit is there before anything is sent, and counted as one types.
    expect(form).to_contain_text("Høyst 5\u00a0000 tegn.")
    typed = "Hvorfor står tiltaket stille? " * 200  # 6,000 characters
    field.fill(typed)
    expect(form.locator(".char-count")).to_have_text("6\u00a0000 av 5\u00a0000 tegn: 1\u00a0000 for mange")
    expect(form.locator(".char-count")).to_have_class("ds-paragraph char-count char-count--over")
    with page.expect_navigation():
        form.get_by_role("button", name="Publiser kommentaren").click()

    field = page.locator("main form.comment-form").get_by_label("Kommentar")
    expect(field).to_have_value(typed)
    expect(field).to_be_focused()
    error = page.locator("#id_body_error")
    expect(error).to_contain_text("5000 eller færre tegn")
    expect(error).to_be_in_viewport()
    assert "id_body_error" in field.get_attribute("aria-describedby").split()
    expect(page.locator("main .messages")).to_have_count(0)
    assert axe_violations(page) == []
    assert not Comment.objects.exists()

    # Shortened, it is published; the confirmation stands where the form is, in view and focused.
    field.fill("Hvorfor står tiltaket stille?")
    with page.expect_navigation():
        page.locator("main form.comment-form").get_by_role("button", name="Publiser kommentaren").click()
    saved = page.locator("#comment-saved[role=status]")
    expect(saved).to_have_text("Kommentaren din er publisert.")
    expect(saved).to_be_in_viewport()
    expect(saved).to_be_focused()
    expect(page.locator("main .comment-thread")).to_contain_text("Hvorfor står tiltaket stille?")
    assert watcher.take() == []


def test_a_comment_of_only_spaces_is_refused_at_its_field(logged_in, world, fagrad):
    page = logged_in(fagrad)
    page.goto(reverse("commitment_detail", args=[world.commitment.pk]))
    form = page.locator("main form.comment-form")
    form.get_by_label("Kommentar").fill("     ")
    with page.expect_navigation():
        form.get_by_role("button", name="Publiser kommentaren").click()
    field = page.locator("main form.comment-form").get_by_label("Kommentar")
    expect(field).to_be_focused()
    expect(page.locator("#id_body_error")).to_be_in_viewport()
    assert not Comment.objects.exists()


def test_a_refused_answer_opens_its_thread_again_with_the_text(logged_in, world, fagrad):
    question = post_comment(user=fagrad, body="Når kommer neste rapport?", measure=world.measure)
    page = logged_in(world.caseworker)
    page.goto(reverse("measure_detail", args=[world.measure.pk]))
    thread = page.locator(f"#comment-{question.pk}")
    thread.get_by_text("Svar", exact=True).click()
    field = thread.get_by_label("Svaret ditt")
    expect(thread).to_contain_text("Høyst 5\u00a0000 tegn.")
    typed = "Etter sommeren. " * 400
    field.fill(typed)
    with page.expect_navigation():
        thread.get_by_role("button", name="Send svar").click()
    field = page.locator(f"#comment-{question.pk}").get_by_label("Svaret ditt")
    expect(field).to_be_visible()  # its thread's answer form is open again
    expect(field).to_have_value(typed)
    expect(field).to_be_focused()
    expect(page.locator(f"#answer-{question.pk}-error")).to_be_in_viewport()
    assert Comment.objects.count() == 1
