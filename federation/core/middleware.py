"""Requests refused before any view: an address with control characters is nobody's link;
logins throttled by user name and by address; every page but the second factor's own closed to
a session that still owes its code."""

from urllib.parse import urlencode

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.core.exceptions import BadRequest
from django.db.models import Sum
from django.shortcuts import redirect
from django.urls import reverse

from federation.core.fields import CONTROL_CHARACTERS
from federation.core.second_factor import confirmed_device, needs_second_factor


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


# What a session that owes its code may open: the pages that take it, logging out, and the
# admin's translations for scripts. Static files never reach a view (WhiteNoise, or runserver).
SECOND_FACTOR_OPEN = {"admin:second_factor_setup", "admin:second_factor_verify", "admin:logout", "admin:jsi18n"}


class SecondFactorMiddleware:
    """With SECOND_FACTOR on, a user who needs the second factor (needs_second_factor) and
    whose session has not given its code is sent from every other URL — admin pages, reports,
    the binder, protected files, import jobs, pickers' JSON, password change — to the page
    that sets up her phone (none confirmed yet) or asks for its code, which then leads back
    (`next`). One gate for every path: a view cannot forget it. After django-otp's
    OTPMiddleware, which tells whether the session is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if request.resolver_match.view_name in SECOND_FACTOR_OPEN or not needs_second_factor(user):
            return None
        if user.is_verified():
            return None
        page = "admin:second_factor_verify" if confirmed_device(user) else "admin:second_factor_setup"
        query = f"?{urlencode({'next': request.get_full_path()})}" if request.method == "GET" else ""
        return redirect(reverse(page) + query)
