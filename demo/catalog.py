"""The two product catalogues (data/catalog.yaml): 花暦 HANAKOYOMI skin care and Sorano software."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from demo.content import load


@dataclass(frozen=True)
class Product:
    """One SKU as the generator uses it (turned into a canonical product record on export)."""

    sku: str
    name: str
    short: str  # how customers and staff call it in texts
    category: str
    brand: str
    taste: str | None  # scent or shade for cosmetics, plan tier for software
    price: int  # yen, tax included
    cost: int

    def record(self) -> dict[str, object]:
        """The canonical product record (contracts: product)."""
        return {
            "external_id": self.sku,
            "name": self.name,
            "category": self.category,
            "brand": self.brand,
            "taste": self.taste,
            "unit_price": self.price,
            "unit_cost": self.cost,
            "attributes": {"short_name": self.short},
        }


@dataclass(frozen=True)
class Catalogue:
    """Both catalogues, the products bought together, and every product by SKU."""

    beauty: list[Product]
    software: list[Product]
    companions: dict[str, list[str]]  # SKU -> SKUs often in the same basket
    by_sku: dict[str, Product]


def _beauty_cost(sku: str, price: int) -> int:
    # Cosmetics cost of goods runs at roughly a quarter to a third of the shelf price.
    return round(price * (0.24 + (sum(map(ord, sku)) % 10) / 100))


def _product(row: dict[str, Any]) -> Product:
    cost = row["cost"] if "cost" in row else _beauty_cost(row["sku"], row["price"])
    return Product(
        row["sku"],
        row["name"],
        row["short"],
        row["category"],
        row["brand"],
        row["taste"],
        row["price"],
        cost,
    )


@cache
def catalogue() -> Catalogue:
    """The catalogues of data/catalog.yaml."""
    data = load("catalog")
    beauty = [_product(row) for row in data["beauty"]]
    software = [_product(row) for row in data["software"]]
    by_sku = {p.sku: p for p in beauty + software}
    return Catalogue(beauty, software, data["beauty_companions"], by_sku)
