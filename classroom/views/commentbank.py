"""A teacher's comment bank: reusable comments per question, to add, reword and delete."""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from classroom import services
from classroom.forms import (
    CommentBankEditForm,
    CommentBankEntryForm,
)
from classroom.models import (
    Attempt,
    CommentBankEntry,
)
from classroom.permissions import AuthedHttpRequest, teacher_required


def _comment_bank_page(request: AuthedHttpRequest, form: CommentBankEntryForm) -> HttpResponse:
    # Ordered by lesson, then question: the template groups them with {% regroup %}.
    entries = (
        CommentBankEntry.objects.for_teacher(request.user)
        .select_related("question__lesson")
        .order_by(
            "question__lesson__order",
            "question__lesson__slug",  # lessons may share an order: keep each one together
            "question__position",
            "question_id",
            "text",
        )
    )
    return render(
        request,
        "classroom/commentbank_list.html",
        {"form": form.for_new_comments(), "entries": entries},
    )


@teacher_required
def comment_bank_list(request: AuthedHttpRequest) -> HttpResponse:
    """The teacher's reusable comments, by lesson and question, to add, reword or delete."""
    return _comment_bank_page(request, CommentBankEntryForm())


@teacher_required
@require_POST
def comment_bank_create(request: AuthedHttpRequest) -> HttpResponse:
    """Save a reusable comment: JSON for fetch(); else back to the marking view or the bank."""
    form = CommentBankEntryForm(request.POST)
    wants_json = "application/json" in request.headers.get("Accept", "")
    attempt = None
    if request.POST.get("attempt"):
        attempt_id = request.POST["attempt"]
        if not (attempt_id.isascii() and attempt_id.isdigit()):
            raise Http404("No such work.")
        attempt = get_object_or_404(Attempt.objects.for_teacher(request.user), pk=attempt_id)
    if form.is_valid():
        entry = services.save_to_comment_bank(
            teacher=request.user,
            question=form.cleaned_data["question"],
            text=form.cleaned_data["text"],
        )
        if wants_json:
            return JsonResponse({"id": entry.pk, "text": entry.text}, status=201)
        messages.success(request, "Comment saved to your comment bank.")
    elif wants_json:
        errors = [error for errors in form.errors.values() for error in errors]
        return JsonResponse({"errors": errors}, status=400)
    elif attempt is None:
        return _comment_bank_page(request, form)  # the bank's page, with the text kept
    else:
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, str(error))
    if attempt is not None:
        return redirect("classroom:attempt-mark", pk=attempt.pk)
    return redirect("classroom:commentbank-list")


GONE_FROM_BANK = (
    "That comment is no longer in your comment bank (it may have been deleted in another tab)."
)


@teacher_required
def comment_bank_update(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Reword a comment. Feedback already given keeps the words it was given with.

    A POST for a comment that is not in the teacher's bank (deleted in another tab, or
    someone else's) goes back to the bank with a message, so a stale form is explained.
    """
    entries = CommentBankEntry.objects.for_teacher(request.user).select_related("question__lesson")
    if request.method != "POST":
        entry = get_object_or_404(entries, pk=pk)
        return render(
            request,
            "classroom/commentbank_form.html",
            {"form": CommentBankEditForm(instance=entry), "entry": entry},
        )
    entry = entries.filter(pk=pk).first()
    if entry is None:
        messages.info(request, GONE_FROM_BANK)
        return redirect("classroom:commentbank-list")
    form = CommentBankEditForm(request.POST, instance=entry)
    if form.is_valid():
        try:
            with transaction.atomic():
                form.save()
        except IntegrityError:  # the same wording saved from another tab meanwhile
            form.add_error("text", CommentBankEditForm.DUPLICATE)
        else:
            messages.success(request, "Comment changed. Feedback already given keeps its words.")
            return redirect("classroom:commentbank-list")
    return render(request, "classroom/commentbank_form.html", {"form": form, "entry": entry})


@teacher_required
@require_POST
def comment_bank_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Delete a comment from the bank; feedback already given with it stays as it is."""
    entry = CommentBankEntry.objects.for_teacher(request.user).filter(pk=pk).first()
    if entry is None:  # deleted already (a second click, another tab), or not theirs
        messages.info(request, GONE_FROM_BANK)
    else:
        entry.delete()
        messages.success(
            request,
            f"Deleted from your comment bank: “{Truncator(entry.text).chars(80)}”. "
            "Feedback already given keeps it.",
        )
    return redirect("classroom:commentbank-list")
