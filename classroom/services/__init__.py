"""Writes that span models. Plain functions with keyword-only arguments, each one atomic.

Views call these; tests call them directly. Validation happens before anything is saved.
Split by sub-domain; every public name is importable from here (`services.turn_in(...)`):

- classes: classes, join codes, enrolments, assignments
- accounts: student accounts, first-time passwords, login cards, lifting a lockout
- work: a student's drafts, turning in, unsubmitting, resubmitting
- feedback: marking, returning work, the comment bank, re-marking stored feedback
- privacy: what a person has, a student's export, erasure
- notifications: notices to people about what happened, emailed by a background task
- reminders: notices from the clock (due tomorrow; scheduled assignments that started)
- talk: announcements to a class, private comments on a piece of work
"""

from classroom.services.accounts import (
    LoginCard,
    UnlockRefused,
    UsernameTaken,
    add_students,
    first_time_password,
    register_student,
    reset_student_password,
    unlock_student,
    update_account,
)
from classroom.services.classes import (
    ASSIGNMENT_FIELDS,
    archive_assignment,
    archive_classroom,
    assign_lessons,
    create_classroom,
    delete_assignment,
    enrol_student,
    grant_extension,
    join_class,
    new_join_code,
    regenerate_join_code,
    remove_extension,
    remove_student,
    restore_assignment,
    restore_classroom,
    update_assignment,
)
from classroom.services.errors import STALE, ServiceError
from classroom.services.feedback import (
    MarkingSaved,
    RemarkReport,
    ReturnedAll,
    mark_attempt,
    remark_answers,
    return_all_marked,
    return_attempt,
    save_marking,
    save_to_comment_bank,
)
from classroom.services.notifications import (
    email_notices,
    mark_all_read,
    mark_read_about,
    notify,
    notify_assigned,
    notify_returned,
    open_notification,
    recount_unread,
)
from classroom.services.privacy import (
    TEACHER_WORK,
    WORK_LABELS,
    audit_log,
    describe_work,
    erase_refusal,
    erase_student,
    export_student_work,
    work_counts,
)
from classroom.services.reminders import Reminded, notify_due, notify_started
from classroom.services.talk import (
    comment_refusal,
    delete_announcement,
    edit_announcement,
    markable_attempt,
    post_announcement,
    post_comment,
    read_thread,
    thread_url_for_student,
    thread_url_for_teacher,
)
from classroom.services.work import (
    AnswersTooLong,
    DraftConflict,
    resubmit,
    save_draft,
    turn_in,
    turn_in_or_keep_draft,
    unsubmit,
)

__all__ = [
    "ASSIGNMENT_FIELDS",
    "STALE",
    "TEACHER_WORK",
    "WORK_LABELS",
    "AnswersTooLong",
    "DraftConflict",
    "LoginCard",
    "MarkingSaved",
    "Reminded",
    "RemarkReport",
    "ReturnedAll",
    "ServiceError",
    "UnlockRefused",
    "UsernameTaken",
    "add_students",
    "archive_assignment",
    "archive_classroom",
    "assign_lessons",
    "audit_log",
    "create_classroom",
    "delete_assignment",
    "describe_work",
    "enrol_student",
    "erase_refusal",
    "erase_student",
    "export_student_work",
    "first_time_password",
    "grant_extension",
    "join_class",
    "mark_attempt",
    "new_join_code",
    "notify",
    "notify_assigned",
    "notify_returned",
    "recount_unread",
    "regenerate_join_code",
    "register_student",
    "remark_answers",
    "remove_extension",
    "remove_student",
    "reset_student_password",
    "restore_assignment",
    "return_all_marked",
    "return_attempt",
    "restore_classroom",
    "resubmit",
    "save_draft",
    "save_marking",
    "save_to_comment_bank",
    "turn_in",
    "turn_in_or_keep_draft",
    "unlock_student",
    "unsubmit",
    "update_assignment",
    "work_counts",
    # talk
    "comment_refusal",
    "delete_announcement",
    "edit_announcement",
    "markable_attempt",
    "post_announcement",
    "post_comment",
    "read_thread",
    "thread_url_for_student",
    "thread_url_for_teacher",
    # Notifications: the pages, email and the clock
    "email_notices",
    "mark_all_read",
    "mark_read_about",
    "notify_due",
    "notify_started",
    "open_notification",
    "update_account",
]
