"""The erasure registry covers every table that can hold a customer's data.

A new table with a customer_id column or a foreign key to customers fails here until it has
a line in knowledge/erasure/registry.py PLACES (export and erasure both read it).
"""

from __future__ import annotations

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table

from knowledge.erasure import Subject
from knowledge.erasure.registry import NO_CUSTOMER_DATA, PLACES, Place, covered_tables, table_of
from knowledge.models import Base


def about_customers(table: Table) -> bool:
    """A customer_id column, or any foreign key to customers."""
    return "customer_id" in table.c or any(
        fk.column.table.name == "customers" for fk in table.foreign_keys
    )


def uncovered(tables: list[Table]) -> list[str]:
    return sorted(t.name for t in tables if about_customers(t) and t.name not in covered_tables())


def test_every_table_about_customers_is_in_the_registry() -> None:
    assert uncovered(list(Base.metadata.tables.values())) == []


def test_every_table_is_either_a_place_or_declared_free_of_customer_data() -> None:
    tables = set(Base.metadata.tables) | {"alembic_version"}
    assert covered_tables() & set(NO_CUSTOMER_DATA) == set()
    assert tables - covered_tables() - set(NO_CUSTOMER_DATA) == set(), (
        "add the table to knowledge/erasure/registry.py: PLACES, or NO_CUSTOMER_DATA with why"
    )
    assert set(NO_CUSTOMER_DATA) - tables == set(), "NO_CUSTOMER_DATA names a table that is gone"


def test_a_new_table_with_a_customer_id_or_a_foreign_key_is_caught() -> None:
    """The check above is not vacuous: it finds a table it does not know."""
    scratch = MetaData()
    Table("customers", scratch, Column("id", Integer, primary_key=True))
    by_column = Table("loyalty_cards", scratch, Column("customer_id", Integer))
    by_key = Table(
        "audience_members",
        scratch,
        Column("person", Integer, ForeignKey("customers.id")),
    )
    assert uncovered([by_column, by_key]) == ["audience_members", "loyalty_cards"]


@pytest.mark.parametrize("place", PLACES, ids=lambda p: p.table)
def test_every_place_names_a_real_table_and_columns(place: Place) -> None:
    table = table_of(place)
    assert set(place.scrub) <= set(table.c.keys())
    nobody = Subject(1, frozenset(), *[frozenset()] * 8)
    place.where(table, nobody)  # a wrong column or parent table raises KeyError here
