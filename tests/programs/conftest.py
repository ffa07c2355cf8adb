import pytest

from .factories import make_program


@pytest.fixture
def program(secretariat):
    return make_program(secretariat, capacity=2, title="관광 빅데이터 분석 세미나")


@pytest.fixture
def course(secretariat):
    return make_program(secretariat, sessions=4, start_days=-30, capacity=10, title="파이썬 데이터 분석 과정")


@pytest.fixture(autouse=True)
def _on_commit_runs_in_tests(request, monkeypatch):
    """Inside a test's wrapping transaction nothing ever commits, so the e-mails the services send
    on commit would never go out. The services register their callbacks as the last step of a
    successful transaction, so running them at once shows what a user would receive. Transactional
    tests (the concurrency race) commit for real and need no help."""
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return
    from django.db import connection

    monkeypatch.setattr(connection, "on_commit", lambda func, robust=False: func())
