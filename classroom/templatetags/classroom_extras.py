from datetime import datetime, timedelta

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int | str:
    """A duration in whole minutes (rounded up), for messages like "wait 15 minutes"."""
    if not isinstance(value, timedelta):
        return ""
    return max(1, -(-int(value.total_seconds()) // 60))


@register.filter
def machine_time(value: datetime | None) -> str:
    """A moment as a <time datetime="..."> wants it: ISO 8601 in the site's time zone, to the
    second (HTML allows at most three digits of a fraction; Django's "c" format gives six)."""
    if not isinstance(value, datetime):
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.filter
def get_item(mapping: dict | None, key: object) -> object:
    """mapping[key] in a template (None when missing), e.g. a count by student id."""
    return (mapping or {}).get(key)
