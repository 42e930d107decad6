"""Addresses of the classroom app. Private things are addressed by id, never by name."""

from django.urls import path

from classroom.views import (
    accounts,
    assignments,
    classes,
    commentbank,
    gradebook,
    insight,
    marking,
    notifications,
    student,
    talk,
)

app_name = "classroom"

urlpatterns = [
    # Teachers: classes and rosters
    path("accounts/signup/", accounts.teacher_signup, name="teacher-signup"),
    # Everyone logged in: their account and their notifications
    path("account/", accounts.account_update, name="account-update"),
    path("notifications/", notifications.notification_list, name="notification-list"),
    path("notifications/<int:pk>/", notifications.notification_open, name="notification-open"),
    path(
        "notifications/read-all/",
        notifications.notification_read_all,
        name="notification-read-all",
    ),
    path("classes/", classes.classroom_list, name="classroom-list"),
    path("classes/new/", classes.classroom_create, name="classroom-create"),
    path("classes/<int:pk>/", classes.classroom_detail, name="classroom-detail"),
    path("classes/<int:pk>/edit/", classes.classroom_update, name="classroom-update"),
    path("classes/<int:pk>/archive/", classes.classroom_archive, name="classroom-archive"),
    path("classes/<int:pk>/restore/", classes.classroom_restore, name="classroom-restore"),
    path(
        "classes/<int:pk>/join-code/",
        classes.classroom_regenerate_code,
        name="classroom-regenerate-code",
    ),
    path("classes/<int:pk>/students/add/", classes.students_add, name="students-add"),
    path("classes/<int:pk>/students/cards/", classes.students_cards, name="students-cards"),
    path(
        "classes/<int:pk>/students/<int:student_pk>/remove/",
        classes.enrolment_remove,
        name="enrolment-remove",
    ),
    path(
        "classes/<int:pk>/students/<int:student_pk>/reset-password/",
        classes.student_reset_password,
        name="student-reset-password",
    ),
    path(
        "classes/<int:pk>/students/<int:student_pk>/unlock/",
        classes.student_unlock,
        name="student-unlock",
    ),
    path("classes/<int:pk>/gradebook/", gradebook.gradebook, name="classroom-gradebook"),
    path("classes/<int:pk>/gradebook.csv", gradebook.gradebook_csv, name="classroom-gradebook-csv"),
    path("classes/<int:pk>/answers.csv", gradebook.answers_csv, name="classroom-answers-csv"),
    # Teachers: announcements
    path(
        "classes/<int:pk>/announcements/new/",
        talk.announcement_create,
        name="announcement-create",
    ),
    path("announcements/<int:pk>/edit/", talk.announcement_update, name="announcement-update"),
    path("announcements/<int:pk>/delete/", talk.announcement_delete, name="announcement-delete"),
    # Teachers: assignments and marking
    path("classes/<int:pk>/assign/", assignments.assignment_create, name="assignment-create"),
    path("assignments/<int:pk>/", marking.assignment_detail, name="assignment-detail"),
    path("assignments/<int:pk>/edit/", assignments.assignment_update, name="assignment-update"),
    path("assignments/<int:pk>/delete/", assignments.assignment_delete, name="assignment-delete"),
    path(
        "assignments/<int:pk>/archive/", assignments.assignment_archive, name="assignment-archive"
    ),
    path(
        "assignments/<int:pk>/restore/", assignments.assignment_restore, name="assignment-restore"
    ),
    path(
        "assignments/<int:pk>/return-marked/",
        marking.assignment_return_marked,
        name="assignment-return-marked",
    ),
    path(
        "assignments/<int:pk>/students/<int:student_pk>/extension/",
        assignments.extension_update,
        name="extension-update",
    ),
    path(
        "assignments/<int:pk>/students/<int:student_pk>/extension/remove/",
        assignments.extension_delete,
        name="extension-delete",
    ),
    path("assignments/<int:pk>/insight/", insight.assignment_insight, name="assignment-insight"),
    path(
        "assignments/<int:pk>/students/<int:student_pk>/comments/",
        talk.assignment_comments,
        name="assignment-comments",
    ),
    path("attempts/<int:pk>/mark/", marking.attempt_mark, name="attempt-mark"),
    path("comment-bank/", commentbank.comment_bank_list, name="commentbank-list"),
    path("comment-bank/new/", commentbank.comment_bank_create, name="commentbank-create"),
    path("comment-bank/<int:pk>/edit/", commentbank.comment_bank_update, name="commentbank-update"),
    path(
        "comment-bank/<int:pk>/delete/", commentbank.comment_bank_delete, name="commentbank-delete"
    ),
    # Students
    path("join/", student.join, name="join"),
    path("my-work/", student.work_list, name="work-list"),
    path("my-work/<int:pk>/", student.work_detail, name="work-detail"),
    path("my-work/<int:pk>/save/", student.work_save, name="work-save"),
    path("my-work/<int:pk>/turn-in/", student.work_turn_in, name="work-turn-in"),
    path("my-work/<int:pk>/unsubmit/", student.work_unsubmit, name="work-unsubmit"),
    path("my-work/<int:pk>/resubmit/", student.work_resubmit, name="work-resubmit"),
    path("my-work/<int:pk>/comments/", student.work_comment, name="work-comment"),
]
