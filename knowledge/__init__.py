"""Kizuna knowledge layer."""
