"""Requests refused before any view: an address with control characters is nobody's link;
logins throttled by user name and by address."""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.core.exceptions import BadRequest
from django.db.models import Sum

from federation.core.fields import CONTROL_CHARACTERS


class RefuseControlCharactersMiddleware:
    """A NUL or another control character in the path or the query string is a 400 for every
    view: PostgreSQL refuses NUL in text, and logs (reports, exports) keep the filters."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        values = [request.path, *request.GET.keys(), *(v for _k, vs in request.GET.lists() for v in vs)]
        if any(CONTROL_CHARACTERS.search(value) for value in values):
            raise BadRequest("control character in the address")
        return self.get_response(request)


def login_username(request, credentials=None) -> str:
    """The user name django-axes records a failure under: as long as a user name can be
    (a longer one is no user's) and without control characters."""
    data = credentials or getattr(request, "data", request.POST)
    return CONTROL_CHARACTERS.sub("", str(data.get("username") or ""))[:150]


class LoginThrottle(AxesDatabaseHandler):
    """django-axes with two limits: AXES_FAILURE_LIMIT wrong passwords for one user name from
    one address, and LOGIN_ADDRESS_FAILURE_LIMIT from one address whatever the names (password
    spraying: a few tries at each of many names). axes compares one count with one limit, so
    the address's count is scaled to it. The lockout parameters are, in this order, the pair
    and the address (settings.AXES_LOCKOUT_PARAMETERS)."""

    def get_failures(self, request, credentials=None) -> int:
        pair, address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        return max(pair, address * settings.AXES_FAILURE_LIMIT // settings.LOGIN_ADDRESS_FAILURE_LIMIT)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful login forgets its own name's failures at the address, not the
        address's failures at other names: one good password must not reset a spray."""
        pair = self.filter_user_attempts(request, credentials)[0]
        return pair.delete()[0]
