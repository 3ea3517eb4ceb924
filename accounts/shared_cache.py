"""The shared cache's Redis client, for the few hot paths that call Redis directly (the short-link
redirect's list push).

Django's Redis backend builds a redis-py client for every call (over its own connection pool),
which costs more than the round trip it makes; the client is made once here, per backend.
"""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def redis_client(alias: str = "default"):  # noqa: ANN201  (a redis.Redis)
    """The Redis client of the cache `alias`, or None when that cache is not Redis."""
    backend = caches[alias]
    if not isinstance(backend, RedisCache):
        return None
    # Kept on the backend, which Django makes per thread: it goes with its thread.
    client = getattr(backend, "_shared_client", None)
    if client is None:
        client = backend._shared_client = backend._cache.get_client(write=True)
    return client
