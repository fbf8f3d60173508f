"""The open-data routes, included from measures.urls."""

from django.urls import path

from ..caching import cached_for_the_public as public_page
from . import views

urlpatterns = [
    path("apne-data/", public_page(views.open_data), name="open_data"),
    path("apne-data/arkiv.zip", views.archive_download, name="open_data_archive"),
    path("apne-data/dcat.ttl", views.dcat_description, name="open_data_dcat"),
    path("api/", public_page(views.api_page), name="api_page"),
]
