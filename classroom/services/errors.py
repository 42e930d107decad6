"""What every service raises when a request cannot be carried out."""


class ServiceError(Exception):
    """A request that cannot be carried out; the message says what to do instead."""


STALE = (
    "This work changed a moment ago (in another tab, or by your teacher). Reload the page to"
    " see where it stands."
)
