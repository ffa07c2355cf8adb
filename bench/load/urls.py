from django.http import HttpResponse
from django.urls import include, path


def ceiling(request):
    """The least a Django view can do on this server: no database, no template."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/ceiling/", ceiling), path("", include("dongne.config.urls"))]
