"""The value lists the assistant owns, each written once: e-mail purposes, tones and lengths.

The API's schemas, the CLI and the panel (through `GET /vocabulary`) use these; each
purpose has its frame in prompts/<language>/email_templates.yaml (a test keeps them equal).
"""

from __future__ import annotations

from typing import Literal, get_args

Purpose = Literal["thank_you", "f2_step", "win_back", "apology", "renewal"]
Tone = Literal["polite", "friendly", "formal", "casual"]
Length = Literal["short", "medium", "long"]

PURPOSES: tuple[str, ...] = get_args(Purpose)
TONES: tuple[str, ...] = get_args(Tone)
# How many sentences the model writes for each length, in Length's order: short 2, medium 3, long 5.
LENGTHS: dict[str, int] = dict(zip(get_args(Length), (2, 3, 5), strict=True))
