"""Kizuna api layer."""
