from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.clients, name="clients"),
    path("clients/<int:pk>/disclosure/", views.disclosure, name="disclosure"),
    path("clients/<int:pk>/stop-use/", views.use_stop, name="use-stop"),
    path("clients/<int:pk>/resume-use/", views.use_resume, name="use-resume"),
]
