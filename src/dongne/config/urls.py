from django.contrib import admin
from django.urls import include, path

from dongne.core.api import api
from dongne.core.api import router as core_router
from dongne.datahub.api import router as datahub_router
from dongne.governance.api import router as governance_router
from dongne.insights.api import router as insights_router
from dongne.network.api import router as network_router
from dongne.opportunities.api import router as opportunities_router
from dongne.programs.api import router as programs_router
from dongne.spaces.api import router as spaces_router

api.add_router("/core", core_router)
api.add_router("/network", network_router)
api.add_router("/datahub", datahub_router)
api.add_router("/insights", insights_router)
api.add_router("/governance", governance_router)
api.add_router("/opportunities", opportunities_router)
api.add_router("/programs", programs_router)
api.add_router("/spaces", spaces_router)

admin.site.site_header = "동네 관리자 · Dongne admin"
admin.site.site_title = "동네"

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("network/", include("dongne.network.urls")),
    path("data/", include("dongne.datahub.urls")),
    path("api/action/", include("dongne.datahub.ckan")),
    path("api/3/action/", include("dongne.datahub.ckan")),
    path("catalog.jsonld", include("dongne.datahub.dcat")),
    path("insights/", include("dongne.insights.urls")),
    path("governance/", include("dongne.governance.urls")),
    path("opportunities/", include("dongne.opportunities.urls")),
    path("programs/", include("dongne.programs.urls")),
    path("spaces/", include("dongne.spaces.urls")),
    path("", include("dongne.core.urls")),
]

handler404 = "dongne.core.views.page_not_found"
handler500 = "dongne.core.views.server_error"
