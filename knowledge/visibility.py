"""Who may see which customer: the one check every read of customer data goes through.

A key (a user) has a user identity and teams; a customer has an owner (a user identity) and
a team. The key's role decides its reach (settings.visibility): `all` customers, its `team`'s
(plus the ones it owns), or only its `own`. Some roles read only some interaction kinds
(marketing: no support conversations). A customer the viewer cannot see is reported exactly
like one that does not exist (CustomerNotFound / RecordNotFound), so callers answer 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from knowledge.errors import CustomerNotFound, RecordNotFound
from knowledge.models import Customer
from knowledge.records import CustomerProfile
from knowledge.settings import Reach, VisibilitySettings


def identity(value: str | None) -> str:
    """The form owners, users and teams are compared in: trimmed, lower case (SQL's lower())."""
    return (value or "").strip().lower()


@dataclass(frozen=True)
class Visibility:
    """What one caller may see; `Visibility.everything()` for admins and the local CLI."""

    reach: Reach = "all"
    user: str = ""  # compared with customers.owner
    teams: frozenset[str] = frozenset()  # compared with customers.team
    text_kinds: frozenset[str] | None = None  # interaction kinds whose text it reads; None: all

    @classmethod
    def everything(cls) -> Visibility:
        return cls()

    @classmethod
    def of(
        cls, role: str, user: str | None, teams: Iterable[str], settings: VisibilitySettings
    ) -> Visibility:
        """The visibility of a key: its role's reach and text kinds from settings."""
        reach: Reach = "all" if role == "admin" else getattr(settings, role, "own")
        kinds = settings.text_kinds.get(role) if role != "admin" else None
        return cls(
            reach=reach,
            user=identity(user),
            teams=frozenset(identity(t) for t in teams if identity(t)),
            text_kinds=frozenset(kinds) if kinds is not None else None,
        )

    @property
    def sees_all(self) -> bool:
        return self.reach == "all"

    # -- customers ----------------------------------------------------------------------------

    def customer_clause(self) -> ColumnElement[bool] | None:
        """A WHERE condition on Customer selecting what this viewer sees; None: everything."""
        if self.sees_all:
            return None
        owned: ColumnElement[bool] = (
            func.lower(func.trim(Customer.owner)) == self.user if self.user else false()
        )
        if self.reach == "own" or not self.teams:
            return owned
        return or_(owned, func.lower(func.trim(Customer.team)).in_(sorted(self.teams)))

    def rows_clause(self, customer_id: InstrumentedAttribute[int]) -> ColumnElement[bool] | None:
        """A WHERE condition keeping rows whose `customer_id` column is a customer this viewer
        sees (campaign messages, enrolments); None: everything."""
        clause = self.customer_clause()
        if clause is None:
            return None
        return customer_id.in_(select(Customer.id).where(clause))

    def sees(self, owner: str | None, team: str | None) -> bool:
        """Whether a customer with this owner and team is visible."""
        if self.sees_all:
            return True
        if self.user and identity(owner) == self.user:
            return True
        return self.reach == "team" and bool(team) and identity(team) in self.teams

    def require(self, session: Session, customer_id: int) -> int:
        """The (surviving) customer id when visible; CustomerNotFound when absent or hidden."""
        from knowledge.repository import resolve_customer_id

        cid = resolve_customer_id(session, customer_id)
        if self.sees_all:
            return cid
        row = session.execute(
            select(Customer.owner, Customer.team).where(Customer.id == cid)
        ).first()
        if row is None or not self.sees(row.owner, row.team):
            raise CustomerNotFound(customer_id)
        return cid

    def visible_ids(self, session: Session) -> set[int] | None:
        """Ids of the active customers this viewer sees; None when it sees all."""
        clause = self.customer_clause()
        if clause is None:
            return None
        stmt = select(Customer.id).where(Customer.merged_into_id.is_(None), clause)
        return set(session.scalars(stmt))

    # -- records ------------------------------------------------------------------------------

    def reads_kind(self, kind: str) -> bool:
        """Whether the viewer reads the text of an interaction of this kind."""
        return self.text_kinds is None or kind in self.text_kinds

    def require_record(self, session: Session, record_id: str) -> int | None:
        """The customer a record belongs to (None: a knowledge-base article) when visible;
        RecordNotFound when absent, of a hidden customer, or of a kind the viewer may not read."""
        from knowledge.models import Interaction
        from knowledge.repository import record_customer_id

        customer_id = record_customer_id(session, record_id)
        if customer_id is None:
            return None
        try:
            self.require(session, customer_id)
        except CustomerNotFound as e:
            raise RecordNotFound(record_id) from e
        if self.text_kinds is not None and record_id.startswith("interaction:"):
            row = session.get(Interaction, int(record_id.split(":", 1)[1]))
            if row is None or not self.reads_kind(row.kind):
                raise RecordNotFound(record_id)
        return customer_id

    def trim_profile(self, profile: CustomerProfile) -> CustomerProfile:
        """The profile without the interactions whose kind the viewer may not read."""
        if self.text_kinds is None:
            return profile
        return profile.model_copy(
            update={
                "latest_interactions": [
                    i for i in profile.latest_interactions if self.reads_kind(i.kind)
                ],
                "open_interactions": [
                    i for i in profile.open_interactions if self.reads_kind(i.kind)
                ],
            }
        )


EVERYTHING = Visibility.everything()


def assign_customer(
    sessions: sessionmaker[Session],
    customer_id: int,
    *,
    owner: str | None = None,
    team: str | None = None,
) -> tuple[str | None, str | None]:
    """Set a customer's owner and/or team ("" clears one); returns (owner, team) as stored."""
    from knowledge.db import transaction
    from knowledge.repository import resolve_customer_id

    for what, value in (("owner", owner), ("team", team)):
        if value is not None and len(value.strip()) > 100:
            raise ValueError(f"{what} must be at most 100 characters")
    with transaction(sessions) as session:
        row = session.get(Customer, resolve_customer_id(session, customer_id))
        if row is None:
            raise CustomerNotFound(customer_id)
        if owner is not None:
            row.owner = owner.strip() or None
        if team is not None:
            row.team = team.strip() or None
        return row.owner, row.team
