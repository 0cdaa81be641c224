"""May this customer get this step now? One function, one reason per outcome.

Built-in rules, before any per-campaign exit condition: a merged record never gets mail (its
survivor does); a marketing step ends the sequence for a customer who opted out or has an
open ticket or complaint (service mail such as an apology still goes); one mail per e-mail
address per step; an offer already proposed to the customer is not proposed again.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.campaigns.definition import Step


@dataclass(frozen=True)
class Candidate:
    customer_id: int
    name: str
    email: str | None
    opted_out: bool
    merged: bool
    open_issues: int

    @property
    def email_key(self) -> str | None:
        """The address as the delivery tool would see it (case and spaces aside)."""
        return self.email.strip().lower() if self.email and self.email.strip() else None


@dataclass(frozen=True)
class Decision:
    status: str = "queued"  # queued | skipped
    skip_reason: str | None = None
    exit_reason: str | None = None  # set: the customer leaves the campaign, no row
    with_offer: bool = True


def decide(
    cand: Candidate,
    step: Step,
    marketing: bool,
    holdout: bool,
    emails_taken: set[str],
    offers_made: set[str],
) -> Decision:
    """The decision for one due (customer, step)."""
    if cand.merged:
        return Decision(exit_reason="merged")
    if marketing and cand.opted_out:
        return Decision(exit_reason="opted_out")
    if marketing and cand.open_issues:
        return Decision(exit_reason="open_complaint")
    if holdout:
        return Decision(status="skipped", skip_reason="holdout")
    if cand.email_key is None:
        return Decision(status="skipped", skip_reason="no_email")
    if cand.email_key in emails_taken:
        return Decision(status="skipped", skip_reason="same_email")
    return Decision(with_offer=step.offer is None or step.offer.code not in offers_made)
