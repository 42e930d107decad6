"""The site's addresses. Fixed: /, /lessons/<slug>/, /accounts/..., /join/, /admin/, /healthz."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from classroom.forms import TeacherPasswordResetForm
from classroom.views import accounts

urlpatterns = [
    path("", include("lessons.urls")),
    path("", include("classroom.routes")),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=TeacherPasswordResetForm),
        name="password_reset",
    ),
    path(
        "accounts/password_change/",
        accounts.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("home/", accounts.home, name="home"),
    path("healthz", accounts.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
