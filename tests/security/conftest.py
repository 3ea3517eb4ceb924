from tests.messaging.conftest import compose, gateway  # noqa: F401  (shared fixtures)
