"""Celery queues: which task goes where, and which worker consumes which queues.

Queues keep one kind of work from delaying another: sending, status tracking and inbound texts
never wait behind imports, address-book syncs, reports or balance refreshes. `make run`
(config/devstack.py) and docker-compose.yml run one worker per group. Plain Python, so that the
launcher can read it without loading Django.
"""

DEFAULT_QUEUE = "celery"

TASK_ROUTES = {
    "messaging.tasks.links_drain_task": {"queue": "bulk"},
    "messaging.tasks.*": {"queue": "send"},
    "inbound.tasks.*": {"queue": "inbound"},
    "accounts.tasks.child_create_task": {"queue": "accounts"},
    "accounts.tasks.credits_transfer_task": {"queue": "accounts"},
    "accounts.tasks.reseller_sweep": {"queue": "accounts"},
    "accounts.tasks.webhook*": {"queue": "webhooks"},
    "accounts.tasks.*": {"queue": "balance"},
    "contacts.tasks.*": {"queue": "bulk"},
    "reporting.tasks.*": {"queue": "reports"},
}

WORKER_QUEUES = {
    "foreground": ["send", "inbound", "accounts"],
    "background": ["bulk", "reports", "balance", "webhooks", DEFAULT_QUEUE],
}

ALL_QUEUES = [queue for queues in WORKER_QUEUES.values() for queue in queues]
