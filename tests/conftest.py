import pytest

from dongne.core.choices import Role

from .factories import UserFactory, make_organisation, make_representative


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    from django.core.cache import cache

    cache.clear()  # each test starts with an empty cache (the insights charts are cached by data version)
    settings.MEDIA_ROOT = tmp_path / "media"
    # PBKDF2's deliberate slowness is not what tests measure.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def secretariat(db):
    return UserFactory(role=Role.SECRETARIAT, name="박사무")


@pytest.fixture
def chair(db):
    return UserFactory(role=Role.CHAIR, name="김이사장")


@pytest.fixture
def director(db):
    return UserFactory(role=Role.DIRECTOR)


@pytest.fixture
def auditor(db):
    return UserFactory(role=Role.AUDITOR)


@pytest.fixture
def partner_user(db):
    return UserFactory(role=Role.PARTNER)


@pytest.fixture
def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.fixture
def org(secretariat):
    return make_organisation(secretariat, name="봄내데이터랩", description="관광객 빅데이터 분석")


@pytest.fixture
def other_org(secretariat):
    return make_organisation(secretariat, name="소양소프트", description="모바일 앱 개발")


@pytest.fixture
def rep(org):
    """The representative of ``org``."""
    return make_representative(org)


@pytest.fixture(autouse=True, scope="session")
def _jobs_run_inline():
    """Background jobs run inline in tests (ARCHITECTURE.md rule 8: tasks run inline without a queue)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield


def pytest_sessionfinish(session, exitstatus):
    session.config._dongne_exitstatus = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """Leave without the interpreter's teardown once pytest has reported.

    Native threads (DuckDB's, kiwi's, py4j's) still alive at interpreter shutdown are unwound by
    force, which now and then aborts the process ("FATAL: exception not rethrown") after a green run."""
    if hasattr(config, "_dongne_exitstatus"):
        import os
        import sys

        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(config._dongne_exitstatus)
