"""Kizuna retrieval layer."""
