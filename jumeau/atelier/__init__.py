"""Consultation workshops: sessions, anonymous contributions, moderation and their store (no UI code)."""
