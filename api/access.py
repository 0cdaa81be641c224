"""The caller's view of customer data: routes read customers, records, search and the
assistant only through it, so `knowledge.visibility` decides what every route shows, and
every read of customer data leaves one audit row (ids only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from api.auth import Principal
from api.services import Services
from knowledge.journal import write_read
from knowledge.visibility import Visibility

if TYPE_CHECKING:
    from assistant.deps import VisibleSearcher
    from assistant.service import Assistant


@dataclass(frozen=True)
class Access:
    """One request's caller with the app's services."""

    services: Services
    principal: Principal

    @property
    def visibility(self) -> Visibility:
        return self.principal.visibility

    def customer(self, customer_id: int) -> int:
        """The (surviving) id of a customer the caller sees; CustomerNotFound (404) otherwise."""
        with self.services.sessions() as session:
            return self.visibility.require(session, customer_id)

    def assistant(self) -> Assistant:
        """The assistant as this caller sees it (503 when it is not loaded)."""
        p = self.principal
        return self.services.need_assistant().as_viewer(p.visibility, p.key_id)

    def retrieval(self) -> VisibleSearcher:
        """Search as this caller sees it (503 when retrieval is not loaded)."""
        from assistant.deps import VisibleSearcher

        return VisibleSearcher(
            self.services.need_retrieval(), self.visibility, self.services.sessions
        )

    def read(
        self,
        action: str,
        *,
        customer_id: int | None = None,
        records: list[str] | None = None,
        **details: Any,
    ) -> None:
        """The audit row of one read of customer data: who, what, about whom (ids only)."""
        write_read(
            self.services.sessions,
            actor=self.principal.actor,
            key_id=self.principal.key_id,
            action=action,
            customer_id=customer_id,
            records=records,
            details=details,
        )
