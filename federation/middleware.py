"""Requests refused before any view: an address with control characters is nobody's link."""

from django.core.exceptions import BadRequest

from federation.fields import CONTROL_CHARACTERS


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
