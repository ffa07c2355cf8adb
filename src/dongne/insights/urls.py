from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("festivals/", views.festivals, name="festivals"),
    path("festivals/<str:festival_id>/", views.festival_detail, name="festival_detail"),
    path("keywords/", views.keywords, name="keywords"),
    path("opportunities/", views.opportunities, name="opportunities"),
    path("plotly-<str:version>.min.js", views.plotly_js, name="plotly_js"),
    path("geo/<slug:name>-<str:version>.geojson", views.geojson, name="geojson"),
    path("topojson/<str:name>.json", views.topojson, name="topojson"),
]
