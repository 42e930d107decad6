"""A person's notifications: the list, opening one (read, then to its page), all read."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from classroom import services
from classroom.http import local_path
from classroom.models import Notification
from classroom.permissions import AuthedHttpRequest, user_required

PER_PAGE = 20


@user_required
def notification_list(request: AuthedHttpRequest) -> HttpResponse:
    """Newest first, unread ones marked in words, 20 to a page."""
    notices = Notification.objects.filter(recipient=request.user).only(
        "pk", "kind", "message", "created_at", "read_at"
    )
    page = Paginator(notices, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "classroom/notification_list.html", {"page": page})


@user_required
def notification_open(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Mark the notice read and go to its page (someone else's notice: 404)."""
    notice = get_object_or_404(Notification, pk=pk, recipient=request.user)
    url = local_path(services.open_notification(notification=notice))
    if url is None:
        messages.info(request, "That notification has no page on this site to open.")
        return redirect("classroom:notification-list")
    return redirect(url)


@user_required
@require_POST
def notification_read_all(request: AuthedHttpRequest) -> HttpResponse:
    count = services.mark_all_read(user=request.user)
    if count:
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    else:
        messages.info(request, "You had no unread notifications.")
    return redirect("classroom:notification-list")
