"""Kizuna assistant layer."""
