"""Errors of the knowledge layer, each with a stable code the API maps to a status."""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base of every knowledge-layer error."""

    code = "knowledge_error"


class CustomerNotFound(KnowledgeError):
    code = "customer_not_found"

    def __init__(self, customer_id: int | str) -> None:
        super().__init__(f"customer {customer_id} does not exist")
        self.customer_id = customer_id


class RecordNotFound(KnowledgeError):
    code = "record_not_found"

    def __init__(self, record_id: str) -> None:
        super().__init__(f"record {record_id} does not exist")
        self.record_id = record_id


class ImportRejected(KnowledgeError):
    """A whole import could not start (unreadable file, unknown source, bad mapping)."""

    code = "import_rejected"


class RowRejected(KnowledgeError):
    """One input row is invalid; it goes to quarantine with where and why."""

    code = "row_rejected"

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason if field is None else f"{field}: {reason}")
        self.reason = reason
        self.field = field


class MergeError(KnowledgeError):
    code = "merge_error"


class ConsentError(KnowledgeError):
    """An action the customer's consent flags do not allow (e.g. marketing mail to an opt-out)."""

    code = "consent_refused"


class CampaignError(KnowledgeError):
    """A campaign definition, draft action or results file that cannot be accepted."""

    code = "campaign_error"


class CampaignNotFound(RecordNotFound):
    code = "campaign_not_found"

    def __init__(self, what: str) -> None:
        KnowledgeError.__init__(self, f"{what} does not exist")
        self.record_id = what


class InvalidCondition(KnowledgeError):
    """An audience condition that does not parse; `problems` are 'path: what is wrong'."""

    code = "invalid_condition"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class AudienceNotFound(KnowledgeError):
    code = "audience_not_found"

    def __init__(self, audience_id: int | str) -> None:
        super().__init__(f"audience {audience_id} does not exist")
        self.audience_id = audience_id


class AudienceExists(KnowledgeError):
    code = "audience_exists"

    def __init__(self, name: str) -> None:
        super().__init__(f"an audience named {name!r} already exists")
        self.name = name
