"""The site's addresses. Fixed: /, /lessons/<slug>/, /accounts/..., /join/, /admin/, /healthz."""

from django.contrib import admin
from django.urls import include, path

from classroom.views import accounts

urlpatterns = [
    path("", include("lessons.urls")),
    path("", include("classroom.routes")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("home/", accounts.home, name="home"),
    path("healthz", accounts.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
