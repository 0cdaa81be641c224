"""The routes' shared dependencies: the app's services and the caller, admitted by action.

GRANTS is the one table of who may do what: each route's principal below reads it, and
`GET /vocabulary` hands the caller's part of it to the panel, which shows only those tabs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

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
}
ACTIONS: tuple[str, ...] = tuple(GRANTS)


def may(role: str) -> list[str]:
    """The actions a role may take, in GRANTS order."""
    return [a for a, roles in GRANTS.items() if role == "admin" or role in roles]


ServicesDep = Annotated[Services, Depends(get_services)]
AnyRole = Annotated[Principal, Depends(current_principal)]
CustomerReader = Annotated[Principal, Depends(require(*GRANTS["customers"]))]
SegmentReader = Annotated[Principal, Depends(require(*GRANTS["segments"]))]
Searcher = Annotated[Principal, Depends(require(*GRANTS["search"]))]
Chatter = Annotated[Principal, Depends(require(*GRANTS["chat"]))]
Briefer = Annotated[Principal, Depends(require(*GRANTS["brief"]))]
Drafter = Annotated[Principal, Depends(require(*GRANTS["draft"]))]
Writer = Annotated[Principal, Depends(require(*GRANTS["write"]))]
Marketer = Annotated[Principal, Depends(require(*GRANTS["campaigns"]))]
Importer = Annotated[Principal, Depends(require(*GRANTS["import"]))]
Admin = Annotated[Principal, Depends(require(*GRANTS["admin"]))]
