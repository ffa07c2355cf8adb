"""``dongne check``: misconfiguration explained in Korean and English, exit code 1 when something must be fixed."""

import dj_database_url
import pytest
from django.db.utils import ConnectionHandler

from dongne.core import doctor
from dongne.core.cli import main


@pytest.fixture
def sane(settings, tmp_path):
    """A correct production configuration (except for what each test breaks)."""
    settings.DATA_DIR = tmp_path
    settings.HEALTH_MIN_FREE_MB = 1
    settings.HTTPS = True
    settings.DEBUG = False
    settings.SECRET_KEY = "x" * 60
    settings.ALLOWED_HOSTS = ["dongne.example.kr"]
    settings.SITE_URL = "https://dongne.example.kr"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.REDIS_URL = ""
    return settings


def run_check(capsys):
    code = main(["check"])
    return code, capsys.readouterr().out


@pytest.mark.django_db
def test_a_sound_production_setup_has_nothing_to_fix(sane, capsys):
    code, out = run_check(capsys)
    assert code == 0, out
    assert "고쳐야 할 문제 없음" in out and "Nothing to fix" in out
    assert "✗" not in out
    assert "데이터베이스 연결됨" in out and "Database reachable" in out


@pytest.mark.django_db
def test_every_classic_production_mistake_is_named_in_both_languages(sane, capsys):
    sane.SECRET_KEY = sane.DEVELOPMENT_SECRET_KEY
    sane.DEBUG = True
    sane.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    sane.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    code, out = run_check(capsys)
    assert code == 1
    for korean, english in [
        ("공개된 개발용 비밀 키", "public development secret key"),
        ("디버그 모드가 켜져", "DEBUG is on in production"),
        ("DONGNE_ALLOWED_HOSTS에 이 서버의 도메인이 없습니다", "holds no public host name"),
        ("메일이 실제로 발송되지 않습니다", "sends no e-mail"),
    ]:
        assert korean in out and english in out
    assert "DONGNE_SECRET_KEY=" in out and "DONGNE_DEBUG=false" in out  # and what to set
    assert "고쳐야 할 문제 4개" in out and "4 to fix" in out


@pytest.mark.django_db
def test_the_same_defaults_on_a_laptop_are_only_information(settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path
    settings.HEALTH_MIN_FREE_MB = 1
    settings.HTTPS = False
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.REDIS_URL = ""
    code, out = run_check(capsys)
    assert code == 0, out
    assert "개발용 비밀 키를 쓰고 있습니다" in out and "메일은 콘솔에 출력됩니다" in out


@pytest.mark.django_db
def test_an_unreachable_redis_must_be_fixed(sane, capsys):
    sane.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    code, out = run_check(capsys)
    assert code == 1
    assert "Redis(127.0.0.1:1)에 연결할 수 없습니다" in out and "Redis at 127.0.0.1:1 is unreachable" in out


@pytest.mark.django_db
def test_a_data_folder_that_cannot_be_written_must_be_fixed(sane, tmp_path, capsys):
    blocker = tmp_path / "var"
    blocker.write_text("a file, not a folder")
    sane.DATA_DIR = blocker
    code, out = run_check(capsys)
    assert code == 1
    assert "데이터 폴더" in out and "does not exist" in out


def test_an_unreachable_postgresql_is_named():
    handler = ConnectionHandler({"default": dj_database_url.parse("postgres://dongne:x@127.0.0.1:1/dongne")})
    findings = doctor.check_database(handler["default"])
    assert [f.level for f in findings] == [doctor.ERROR]
    assert "PostgreSQL(127.0.0.1:1/dongne)에 연결할 수 없습니다" in findings[0].ko
    assert "PostgreSQL at 127.0.0.1:1/dongne is unreachable" in findings[0].en
    handler.close_all()


def test_java_and_chromium_are_never_errors():
    assert all(f.level == doctor.INFO for f in doctor.check_optional_programs())


def test_the_korean_font_for_pdfs_is_found_here():
    assert [f.level for f in doctor.check_font()] == [doctor.OK]
