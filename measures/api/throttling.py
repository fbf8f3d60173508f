"""How often an address may read the API (a module of its own: REST framework imports it from its settings)."""

from rest_framework import throttling
from rest_framework.settings import api_settings


class PublicReadThrottle(throttling.AnonRateThrottle):
    """Reading per address: REST_FRAMEWORK's DEFAULT_THROTTLE_RATES['anon'], counted in the default cache (Redis
    when REDIS_URL makes it so). The rate is read per request, so settings changed at run time (tests) count."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
