"""The demo company's ready campaigns (demo/data/campaigns.yaml): an F2 sequence for first-time
buyers and a win-back for dormant customers with a favourite category. Safe to rerun."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.audiences import create_audience
from knowledge.campaigns.models import Campaign
from knowledge.campaigns.store import create_campaign
from knowledge.models import Audience

CAMPAIGNS_FILE = Path(__file__).parent / "data" / "campaigns.yaml"
ACTOR = "demo"
# The day after the demo's reference date, noon in Tokyo: the clock to run its campaigns at.
DEMO_CLOCK = "2026-11-21T12:00:00+09:00"


def load_demo_campaigns(sessions: sessionmaker[Session]) -> list[str]:
    """Create the demo's audiences and campaigns that do not exist yet; their names."""
    data: dict[str, Any] = yaml.safe_load(CAMPAIGNS_FILE.read_text(encoding="utf-8"))
    with sessions() as session:
        audience_ids = {}
        for a in data["audiences"]:
            found = session.scalar(select(Audience.id).where(Audience.name == a["name"]))
            if found is None:
                found = create_audience(
                    session,
                    a["name"],
                    a["condition"],
                    description=a.get("description"),
                    created_by=ACTOR,
                ).id
            audience_ids[a["name"]] = found
        names = []
        for c in data["campaigns"]:
            definition = {k: v for k, v in c.items() if k != "audience"}
            if "audience" in c:
                definition["audience_id"] = audience_ids[c["audience"]]
            if session.scalar(select(Campaign.id).where(Campaign.name == c["name"])) is None:
                create_campaign(session, definition, ACTOR)
            names.append(c["name"])
        session.commit()
    return names
