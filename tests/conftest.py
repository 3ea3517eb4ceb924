"""Shared fixtures: personas per role and a second workspace (the outsider's)."""
