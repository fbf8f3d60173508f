import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from tests.factories import make_user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def own_cache(settings):
    """A memory cache per test: pages and reports cached in one test are never served in another."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def caseworker(db):
    return make_user("kari.saksbehandler", first_name="Kari", last_name="Nordmann")


@pytest.fixture
def coordinator(db):
    return get_user_model().objects.create_superuser("koordinator", password="a-long-test-password")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client
