"""Kizuna prompts layer."""
