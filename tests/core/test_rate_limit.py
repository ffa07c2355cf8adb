import threading

import pytest

from dongne.core import services
from dongne.core.models import ApiRateWindow


def test_token_requests_beyond_the_limit_get_429(client, secretariat, settings):
    settings.API_RATE_LIMIT = 3
    token = services.create_api_token(actor=secretariat, name="script")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token.raw_token}"}
    statuses = [client.get("/api/v1/core/me", **headers).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    body = client.get("/api/v1/core/me", **headers).json()
    assert body["code"] == "rate_limited"
    assert ApiRateWindow.objects.get(token=token).count == 6


def test_limits_are_per_token(client, secretariat, settings):
    settings.API_RATE_LIMIT = 1
    first = services.create_api_token(actor=secretariat, name="a")
    second = services.create_api_token(actor=secretariat, name="b")
    assert client.get("/api/v1/core/me", HTTP_AUTHORIZATION=f"Bearer {first.raw_token}").status_code == 200
    assert client.get("/api/v1/core/me", HTTP_AUTHORIZATION=f"Bearer {first.raw_token}").status_code == 429
    assert client.get("/api/v1/core/me", HTTP_AUTHORIZATION=f"Bearer {second.raw_token}").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_are_all_counted():
    """Twenty threads hit one key at once: the count is exactly twenty (no lost update, no duplicate window)."""
    from django.db import connection

    from dongne.core import ratelimit
    from dongne.core.models import RateCounter

    barrier = threading.Barrier(20)

    def hit():
        try:
            barrier.wait()
            ratelimit.hit("inquiry:sender@example.kr", 3600)
        finally:
            connection.close()

    threads = [threading.Thread(target=hit) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert ratelimit.count("inquiry:sender@example.kr", 3600) == 20
    assert RateCounter.objects.filter(key="inquiry:sender@example.kr").count() == 1
