"""The commands `make run` calls: load the real records once, and a local administrator for DEBUG only."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from decisions.models import Commitment, Source
from measures.management.commands import ensure_local_admin

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


def test_the_local_admin_is_created_once_and_its_login_printed(settings, tmp_path, monkeypatch, capsys):
    settings.DEBUG = True
    monkeypatch.setattr(ensure_local_admin, "CREDENTIALS", tmp_path / "local-admin.txt")
    call_command("ensure_local_admin")
    first = capsys.readouterr().out
    password = (tmp_path / "local-admin.txt").read_text().strip()
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)
    assert password in first

    call_command("ensure_local_admin")
    assert password in capsys.readouterr().out
    assert get_user_model().objects.filter(username="admin").count() == 1

    user.set_password("my-own-new-password-123")
    user.save()
    call_command("ensure_local_admin")
    again = capsys.readouterr().out
    assert password not in again
    assert "changepassword" in again


def test_the_local_admin_is_never_made_with_production_settings(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("ensure_local_admin")
    assert not get_user_model().objects.exists()
