"""Per-request context: the client address for audit entries, the user's scope, the language."""

from contextvars import ContextVar

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

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


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose another language with the switch (the language cookie).

    The browser's Accept-Language is not consulted: the portal is Chinese first, and a phone or a
    public-board visitor with an English system locale should still see the Chinese pages.
    """

    def process_request(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
