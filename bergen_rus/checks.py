"""System checks of the project's own settings, run by `manage.py check` (the deploy ones with `--deploy`)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 (names of this machine, not a bind address)


@register(Tags.security, deploy=True)
def site_url_is_public(app_configs, **kwargs):
    """SITE_URL is written into e-mails and printed on the PDF reports: in production it must be the public https
    address, or politicians' papers and the archive would carry a link to somebody's own machine."""
    address = urlsplit(settings.SITE_URL)
    if address.scheme != "https" or (address.hostname or "") in LOCAL_HOSTS:
        return [
            Warning(
                f"SITE_URL is {settings.SITE_URL!r}; the reports and e-mails would link to it.",
                hint="Set SITE_URL to the public https address of the service.",
                id="bergen_rus.W001",
            )
        ]
    return []
