"""WSGI entry point (gunicorn bergen_rus.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bergen_rus.settings")
application = get_wsgi_application()
