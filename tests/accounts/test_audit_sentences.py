"""Every audit action the code records reads as a sentence on the audit log page."""

import re
from pathlib import Path

from accounts.audit_words import ACTION_SENTENCES

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = ["accounts", "contacts", "messaging", "reporting", "inbound", "sandbox"]
CALL = re.compile(r"""audit_record\(\s*["']([a-z_]+)["']""")


def recorded_actions() -> set[str]:
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            found |= set(CALL.findall(path.read_text(encoding="utf-8")))
    return found


def test_the_walk_finds_the_actions():
    assert {"api_key_created", "broadcast_paused", "export_downloaded"} <= recorded_actions()


def test_every_recorded_action_has_a_sentence():
    missing = sorted(recorded_actions() - set(ACTION_SENTENCES))
    assert missing == [], f"give these a sentence in accounts/audit_words.py: {missing}"


def test_actions_chosen_at_run_time_have_sentences_too():
    """Actions named by an expression (a send or a schedule, a sending rule), not a literal."""
    chosen = {"broadcast_sent", "broadcast_scheduled", "quiet_hours_changed",
              "approval_policy_changed", "link_expiry_changed",
              "opt_out_footer_changed"}  # fmt: skip
    assert chosen <= set(ACTION_SENTENCES)
