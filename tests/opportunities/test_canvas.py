"""Business model canvas for regional linkage projects, linking datasets and insights pages."""

import pytest

from dongne.core.errors import PermissionDenied, ValidationError
from dongne.datahub import services as datahub
from dongne.opportunities import services
from tests.factories import make_representative

from .factories import make_opportunity

pytestmark = pytest.mark.django_db


def test_canvas_links_datasets_and_insights_pages(client, secretariat, tourism_member):
    dataset = datahub.create_dataset(
        actor=secretariat, data={"slug": "chuncheon-visitors", "title": "춘천 방문객 수"}
    )
    need = make_opportunity(
        secretariat, kind="regional_need", title="축제 방문객 실시간 집계", deadline="상시"
    )
    rep = make_representative(tourism_member)
    canvas = services.create_canvas(
        actor=rep,
        data={
            "title": "축제 방문객 집계 서비스",
            "opportunity": need.pk,
            "value_propositions": "축제 주최 측에 실시간 방문객 수",
            "customer_segments": "춘천시, 축제 조직위",
            "datasets": [dataset.pk],
            "insights_pages": ["festivals", "overview"],
        },
    )
    client.force_login(rep)
    page = client.get(f"/opportunities/canvases/{canvas.pk}/").content.decode()
    assert "실시간 방문객 수" in page
    assert "/datahub/chuncheon-visitors/" in page or "chuncheon-visitors" in page
    assert "/insights/festivals/" in page and "/insights/" in page
    # Another representative may read but not edit it.
    other = make_representative(tourism_member)
    with pytest.raises(PermissionDenied):
        services.update_canvas(actor=other, canvas_id=canvas.pk, data={"title": "바꿈"})
    services.update_canvas(actor=secretariat, canvas_id=canvas.pk, data={"revenue_streams": "연간 구독료"})
    canvas.refresh_from_db()
    assert canvas.revenue_streams == "연간 구독료" and canvas.datasets.get() == dataset


def test_canvas_validation(secretariat):
    with pytest.raises(ValidationError):
        services.create_canvas(actor=secretariat, data={"title": ""})
    with pytest.raises(ValidationError):
        services.create_canvas(actor=secretariat, data={"title": "x", "insights_pages": ["nope"]})
    with pytest.raises(ValidationError):
        services.create_canvas(actor=secretariat, data={"title": "x", "datasets": [999999]})


def test_canvas_form_page(client, secretariat):
    client.force_login(secretariat)
    response = client.post(
        "/opportunities/canvases/new/", {"title": "숙박 예약 통합", "insights_pages": ["keywords"]}
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
