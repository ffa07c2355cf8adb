from django.urls import path

from . import views

app_name = "programs"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.index, name="program_detail"),
    path("me/", views.index, name="my_registrations"),
]
