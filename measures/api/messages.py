"""Django's Norwegian for the form messages that REST framework's catalogue also translates, otherwise differently.

An installed app's catalogue comes before Django's own, so with REST framework installed every form on the site would
say «Dette feltet er påkrevd.» instead of Django's «Feltet er påkrevet.». The project's catalogue (LOCALE_PATHS) comes
first of all: these marks keep Django's wording there (locale/nb/LC_MESSAGES/django.po).
"""

from django.utils.translation import gettext_noop

KEPT_AS_DJANGO_SAYS = [
    gettext_noop("This field is required."),
    gettext_noop("Enter a valid URL."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a valid IPv4 or IPv6 address."),
    gettext_noop("The submitted file is empty."),
    gettext_noop("Value must be valid JSON."),
    gettext_noop("Upload a valid image. The file you uploaded was either not an image or a corrupted image."),
]
