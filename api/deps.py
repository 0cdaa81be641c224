"""The routes' shared dependencies: the app's services and the caller, admitted by action.

GRANTS is the one table of who may do what: each route's principal below reads it, and
`GET /vocabulary` hands the caller's part of it to the panel, which shows only those tabs.
Routes that touch customer data take an `Access` (api/access.py) instead of a bare principal:
the same role check, plus the caller's visibility and the read audit.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from api.access import Access
from api.auth import Principal, current_principal, require
from api.services import Services, get_services
from knowledge.apikeys import Role

# Action -> the roles admitted besides admin, who may do everything.
GRANTS: dict[str, tuple[Role, ...]] = {
    "customers": ("agent", "sales", "marketing"),  # find, profiles, cited records
    "segments": ("sales", "marketing"),
    "search": ("agent", "sales"),
    "chat": ("agent",),
    "brief": ("agent", "sales"),
    "draft": ("agent", "sales", "marketing"),  # e-mail drafts and rewrites
    "write": ("agent",),  # one interaction at a time (POST /interactions)
    "campaigns": ("marketing",),  # audiences, campaigns, drafts at scale, export, results
    "import": (),  # batches and files
    "admin": (),  # keys, the audit log, knowledge gaps
    "privacy": (),  # export and erasure of everything held about one person
}
ACTIONS: tuple[str, ...] = tuple(GRANTS)


def may(role: str) -> list[str]:
    """The actions a role may take, in GRANTS order."""
    return [a for a, roles in GRANTS.items() if role == "admin" or role in roles]


_SERVICES = Depends(get_services)


def _access(action: str):  # type: ignore[no-untyped-def]
    """A dependency: the caller admitted to `action`, as an Access."""

    # Defaults, not Annotated: a string annotation (from __future__) cannot name `action`.
    admit = Depends(require(*GRANTS[action]))

    def _make(principal: Principal = admit, services: Services = _SERVICES) -> Access:
        return Access(services, principal)

    return _make


ServicesDep = Annotated[Services, Depends(get_services)]
AnyRole = Annotated[Principal, Depends(current_principal)]
Importer = Annotated[Principal, Depends(require(*GRANTS["import"]))]
Admin = Annotated[Principal, Depends(require(*GRANTS["admin"]))]

# Routes that touch customer data take an Access (api/access.py): the role check of their
# action, plus the caller's visibility and the read audit. Use these for new routes too.
CustomerAccess = Annotated[Access, Depends(_access("customers"))]
SegmentAccess = Annotated[Access, Depends(_access("segments"))]
SearchAccess = Annotated[Access, Depends(_access("search"))]
ChatAccess = Annotated[Access, Depends(_access("chat"))]
BriefAccess = Annotated[Access, Depends(_access("brief"))]
DraftAccess = Annotated[Access, Depends(_access("draft"))]
WriteAccess = Annotated[Access, Depends(_access("write"))]
CampaignAccess = Annotated[Access, Depends(_access("campaigns"))]
PrivacyAccess = Annotated[Access, Depends(_access("privacy"))]
