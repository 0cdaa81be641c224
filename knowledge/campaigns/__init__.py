"""Campaigns (施策): step-mail sequences, their scheduler, drafts, hand-off and results."""
