"""The current request's client address, for audit entries written deep inside model methods."""

from contextvars import ContextVar

_ip: ContextVar[str | None] = ContextVar("portal_client_ip", default=None)


def current_ip():
    return _ip.get()


class RequestContextMiddleware:
    """Remembers the client address and attaches the user's scope as ``request.scope``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils.functional import SimpleLazyObject

        from .scope import Scope

        token = _ip.set(request.META.get("REMOTE_ADDR"))
        request.scope = SimpleLazyObject(lambda: Scope(request.user))
        try:
            return self.get_response(request)
        finally:
            _ip.reset(token)
