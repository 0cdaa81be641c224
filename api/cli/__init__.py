"""Kizuna command line."""
