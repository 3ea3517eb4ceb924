"""The shared cache's Redis client, for the few hot paths that need more than Django's cache calls
give in one round trip (a count with its time to live, a list push).

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


def count_add(name: str, amount: int, timeout: int) -> int:
    """Add `amount` to the shared count `name`, made with a time to live of `timeout` seconds
    when it does not exist (cache.add then cache.incr); the new count. One round trip on Redis."""
    client = redis_client()
    if client is not None:
        full = caches["default"].make_and_validate_key(name)
        _made, count = (
            client.pipeline(transaction=False)
            .set(full, 0, ex=timeout, nx=True)
            .incrby(full, amount)
            .execute()
        )
        return int(count)
    cache = caches["default"]
    cache.add(name, 0, timeout=timeout)
    try:
        return cache.incr(name, amount)
    except ValueError:  # expired between add and incr
        cache.set(name, amount, timeout=timeout)
        return amount
