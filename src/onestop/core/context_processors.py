from django.conf import settings
from django.utils.functional import SimpleLazyObject

from onestop.core.navigation import menu_for


def shell(request):
    """What every page of the UI shell needs: the menu, the languages, the brand."""
    return {
        "menu": SimpleLazyObject(lambda: menu_for(request.user, request.path)),
        "available_languages": settings.LANGUAGES,
        "demo_mode": settings.DEMO_MODE,
        "default_currency": settings.DEFAULT_CURRENCY,
    }
