"""Language selection: the user's saved preference, else the chosen cookie, else zh-Hant.

The browser's Accept-Language header is deliberately not consulted: the company
works in Traditional Chinese first, and a staff member's English-language browser
should not switch the shared terminology under them. Anyone can switch with the
language menu; a logged-in user's choice is saved to their profile.
"""

from django.conf import settings
from django.utils import translation

SUPPORTED = {code for code, _name in settings.LANGUAGES}


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self.language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie")
        return response

    @staticmethod
    def language_for(request) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in SUPPORTED:
            return user.language
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if cookie.lower() in SUPPORTED:
            return cookie.lower()
        return settings.LANGUAGE_CODE


class PermissionsPolicyMiddleware:
    """Sends ``Permissions-Policy`` (settings.PERMISSIONS_POLICY) with every response, so an
    injected script or a framed page cannot reach the camera, microphone, location or payment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
