from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int | str:
    """A duration in whole minutes (rounded up), for messages like "wait 15 minutes"."""
    if not isinstance(value, timedelta):
        return ""
    return max(1, -(-int(value.total_seconds()) // 60))
