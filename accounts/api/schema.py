"""The OpenAPI schema's shared parts: the error shape on every operation, and the limit headers."""

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "field"],
            "properties": {
                "code": {"type": "string", "examples": ["invalid_request"]},
                "message": {"type": "string"},
                "field": {"type": ["string", "null"]},
            },
        }
    },
}
ERRORS = {
    "400": "The request is not valid: `field` says which part.",
    "401": "No key, or a key that is not valid, has expired or was revoked.",
    "403": "The key does not have the scope this call needs.",
    "404": "No such object in the key's workspace.",
    "405": "The route does not take this method.",
    "409": "A conflict: a contact with the number exists, or a request with the same "
    "Idempotency-Key is still running.",
    "415": "Send JSON (`Content-Type: application/json`).",
    "422": "The Idempotency-Key was used with a different request.",
    "429": "Over the key's rate limit: wait for `Retry-After` seconds.",
}
RATE_HEADERS = {
    "RateLimit-Limit": "Requests a second this key may make.",
    "RateLimit-Remaining": "Requests left in this second.",
    "RateLimit-Reset": "Seconds until the window starts again.",
}


def add_error_responses(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular postprocessing hook: every operation answers errors in the one shape."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    headers = {name: {"description": text, "schema": {"type": "string"}}
               for name, text in RATE_HEADERS.items()}  # fmt: skip
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for response in responses.values():
                response.setdefault("headers", {}).update(headers)
            for code, text in ERRORS.items():
                responses.setdefault(code, {"description": text, "content": error})
    return result
