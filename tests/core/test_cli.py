"""The ``dongne`` command as the secretariat's IT person uses it."""

import pytest

from dongne.core.choices import Role
from dongne.core.cli import COMMANDS, main
from dongne.core.models import AuditEntry, User


def test_without_a_command_it_lists_the_commands(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: dongne")
    for command in COMMANDS:
        assert command in out
    assert "동네" in out and "Dongne" in out


def test_serve_help_is_korean_and_english(capsys):
    with pytest.raises(SystemExit) as info:
        main(["serve", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "플랫폼 서버 실행" in out  # Korean
    assert "Run the web server" in out  # English
    assert "--port" in out and "포트" in out


def test_an_unknown_command_is_refused(capsys):
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2
    assert "frobnicate" in capsys.readouterr().err


@pytest.mark.django_db
def test_create_secretariat_makes_an_account_that_can_log_in(capsys, client):
    code = main(
        [
            "create-secretariat",
            "--email",
            "Office@Test.Dongne.KR",
            "--name",
            "박사무",
            "--password",
            "춘천-사무국-2024",
        ]
    )
    assert code == 0
    assert "office@test.dongne.kr" in capsys.readouterr().out
    user = User.objects.get(email="office@test.dongne.kr")
    assert user.role == Role.SECRETARIAT and user.name == "박사무"
    assert user.is_staff  # the secretariat may open the admin
    assert client.login(username="office@test.dongne.kr", password="춘천-사무국-2024")
    entry = AuditEntry.objects.get(action="core.user.created")
    assert entry.target_id == str(user.pk) and entry.actor_label == "system"


@pytest.mark.django_db
def test_create_secretariat_refuses_an_existing_address(capsys, secretariat):
    code = main(
        ["create-secretariat", "--email", secretariat.email.upper(), "--name", "x", "--password", "x" * 12]
    )
    assert code == 1
    assert secretariat.email in capsys.readouterr().err.lower()
    assert User.objects.filter(email=secretariat.email).count() == 1


@pytest.mark.django_db
def test_create_secretariat_refuses_a_weak_password(capsys):
    code = main(["create-secretariat", "--email", "weak@test.dongne.kr", "--name", "x", "--password", "1234"])
    assert code == 1
    assert capsys.readouterr().err.strip()
    assert not User.objects.filter(email="weak@test.dongne.kr").exists()
