"""The personal values SQL holds about people (person customers and contacts): what a prompt
must not carry to an external model."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge.models import Contact, Customer


@dataclass
class PersonalValues:
    """Names (with their kana) and (kind, value) pairs: EMAIL, PHONE, POSTAL, ADDRESS."""

    names: list[str] = field(default_factory=list)
    values: list[tuple[str, str]] = field(default_factory=list)


def personal_values(session: Session) -> PersonalValues:
    """Every person's name, kana, e-mail, phone, postal code and address (companies' names are
    not personal; their contacts are)."""
    out = PersonalValues()
    people = session.execute(
        select(
            Customer.name,
            Customer.name_kana,
            Customer.email,
            Customer.phone,
            Customer.postal_code,
            Customer.address,
        ).where(Customer.kind == "person")
    )
    for name, kana, email, phone, postal, address in people:
        out.names += [n for n in (name, kana) if n]
        out.values += _pairs(email=email, phone=phone, postal=postal, address=address)
    contacts = session.execute(
        select(Contact.name, Contact.name_kana, Contact.email, Contact.phone)
    )
    for name, kana, email, phone in contacts:
        out.names += [n for n in (name, kana) if n]
        out.values += _pairs(email=email, phone=phone)
    # A company's own e-mail and phone may be a person's (a sole trader's): masked too.
    companies = session.execute(
        select(Customer.email, Customer.phone).where(Customer.kind != "person")
    )
    for email, phone in companies:
        out.values += _pairs(email=email, phone=phone)
    return out


def personal_values_version(session: Session) -> tuple[object, ...]:
    """Changes whenever a person is added, changed or removed (a cache key)."""
    customers = session.execute(
        select(func.count(Customer.id), func.max(Customer.id), func.max(Customer.updated_at))
    ).one()
    contacts = session.execute(
        select(func.count(Contact.id), func.max(Contact.id), func.max(Contact.updated_at))
    ).one()
    return (*customers, *contacts)


def _pairs(**fields: str | None) -> list[tuple[str, str]]:
    kinds = {"email": "EMAIL", "phone": "PHONE", "postal": "POSTAL", "address": "ADDRESS"}
    return [(kinds[k], v) for k, v in fields.items() if v]
