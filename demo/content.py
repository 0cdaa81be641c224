"""The demo's content files (demo/data/*.yaml), read on first use and kept for the process.

The words of the demo company live there as data a non-programmer can edit: names and places,
the two catalogues, knowledge-base articles and questions, the planted stories and the sentence
banks of the generated texts. Callers treat what they get as read-only.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load(name: str) -> Any:
    """The parsed content of demo/data/<name>.yaml."""
    text = files("demo").joinpath("data", f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=_Loader)


def names() -> dict[str, Any]:
    """Names, places, companies, roles and staff (data/names.yaml)."""
    return load("names")
