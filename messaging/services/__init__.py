"""Messaging services, by purpose: compose, dispatch, reconcile, tracking, background sends."""
