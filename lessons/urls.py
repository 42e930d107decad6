from django.urls import path

from lessons import views

app_name = "lessons"

urlpatterns = [
    path("", views.lesson_list, name="lesson-list"),
    path("overview/", views.overview, name="overview"),
    path("glossary/", views.glossary, name="glossary"),
    path("lessons/<slug:slug>/", views.lesson_detail, name="lesson-detail"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
]
