"""The portal's JSON API (/api/v1/): keys, scopes, limits, idempotency and the error shape.

Each app keeps its own endpoints (`messaging/api.py`, `contacts/api.py`, `inbound/api.py`); this
package holds what they share. A request's workspace is always the key's, never the request's.
"""
