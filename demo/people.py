"""Customers of the demo company: cosmetics buyers (persons) and software accounts (companies)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random
from typing import Any

from demo.catalog import Product, catalogue
from demo.common import REFERENCE_DATE, START_DATE, Ref, day_between
from demo.content import names

# Buying profiles of the cosmetics customers: share, order-count range, and where their
# activity window lies (days before the reference date of first and last order).
PROFILES: dict[str, tuple[float, tuple[int, int], tuple[int, int], tuple[int, int]]] = {
    "champion": (0.12, (28, 50), (730, 1090), (0, 40)),
    "loyal": (0.25, (10, 22), (365, 1090), (0, 90)),
    "occasional": (0.20, (3, 8), (180, 900), (0, 150)),
    "one_time": (0.18, (1, 1), (0, 1090), (0, 0)),
    "dormant": (0.12, (3, 12), (400, 1090), (190, 360)),
    "churned": (0.10, (2, 6), (500, 1090), (370, 900)),
    "new": (0.03, (1, 2), (0, 60), (0, 30)),
}
LIFECYCLE = {"dormant": "dormant", "churned": "churned", "lead": "lead", "prospect": "prospect"}


@dataclass
class Cust:
    """One generated customer with what the order and text generators need to know."""

    ref: Ref
    record: dict[str, Any]
    business: str  # beauty | b2b
    family: str  # how texts address them: family name, or the company name
    language: str
    profile: str
    romaji: str = ""  # family name first, as Japanese records write it in Latin letters
    first: date | None = None
    last: date | None = None
    n_orders: int = 0
    favourites: list[Product] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    plan: Product | None = None
    seats: int = 0
    connector: str = ""
    exclude_topics: set[str] = field(default_factory=set)
    orders: list[dict[str, Any]] = field(default_factory=list)


class Uniq:
    """Hands out phone numbers and e-mail addresses never used before in this data set."""

    def __init__(self, r: Random) -> None:
        self.r = r
        self.phones: set[str] = set()
        self.emails: set[str] = set()
        self.names: set[str] = set()  # readings of persons and names of companies

    def mobile(self) -> str:
        while True:
            mid, end = self.r.randint(1000, 9999), self.r.randint(1000, 9999)
            p = f"0{self.r.choice('789')}0-{mid}-{end}"
            if p not in self.phones:
                self.phones.add(p)
                return p

    def landline(self) -> str:
        while True:
            # Ten digits: 03-xxxx-xxxx in Tokyo and Osaka, 045-xxx-xxxx elsewhere.
            area = self.r.choice(["3", "6", "45", "52", "92"])
            mid = self.r.randint(1000, 9999) if len(area) == 1 else self.r.randint(100, 999)
            p = f"0{area}-{mid}-{self.r.randint(1000, 9999)}"
            if p not in self.phones:
                self.phones.add(p)
                return p

    def email(self, local: str, domain: str | None = None) -> str:
        local = local.lower().replace(" ", ".")
        dom = domain or self.r.choice(names()["email_domains"])
        n = 0
        while True:
            e = f"{local}{'' if n == 0 else n}@{dom}"
            if e not in self.emails:
                self.emails.add(e)
                return e
            n = self.r.randint(2, 999)


def pick_profile(r: Random) -> str:
    """A cosmetics buying profile, drawn by its share."""
    names = list(PROFILES)
    return r.choices(names, weights=[PROFILES[n][0] for n in names])[0]


def window(r: Random, profile: str) -> tuple[date, date, int]:
    """First and last order date and the number of orders of a profile."""
    _, (lo, hi), (f_lo, f_hi), (l_lo, l_hi) = PROFILES[profile]
    n = r.randint(lo, hi)
    last = REFERENCE_DATE - timedelta(days=r.randint(l_lo, l_hi))
    first = REFERENCE_DATE - timedelta(days=r.randint(f_lo, f_hi))
    if n == 1 or first > last:
        first = last = first if n == 1 else last - timedelta(days=30 * n)
    return max(first, START_DATE), last, n


def person(r: Random, uniq: Uniq, ext_id: str, source: str, profile: str) -> Cust:
    """A cosmetics customer with a Japanese name, reading, contact data and address."""
    vocab = names()
    female = r.random() < 0.82 or profile == "champion"
    for _ in range(500):
        # Readings are unique (while the name pool lasts, i.e. up to scale ~1.3), so that
        # only the planted duplicates look alike to 名寄せ.
        fam = r.choice(vocab["surnames"])
        given = r.choice(vocab["given_female"] if female else vocab["given_male"])
        if f"{fam[1]}{given[1]}" not in uniq.names:
            break
    uniq.names.add(f"{fam[1]}{given[1]}")
    pref, town, zip3 = r.choice(vocab["jp_places"])
    record: dict[str, Any] = {
        "external_id": ext_id,
        "kind": "person",
        "name": f"{fam[0]} {given[0]}",
        "name_kana": f"{fam[1]} {given[1]}",
        "email": uniq.email(f"{given[2]}.{fam[2]}"),
        "phone": uniq.mobile(),
        "postal_code": f"{zip3}-{r.randint(0, 9999):04d}",
        "address": f"{pref}{town}{r.randint(1, 5)}-{r.randint(1, 30)}-{r.randint(1, 20)}",
        "region": pref,
        "country": "JP",
        "language": "ja",
        "age_band": r.choice(["20s", "30s", "30s", "40s", "40s", "50s", "60s"]),
        "gender": "female" if female else "male",
        "lifecycle_stage": LIFECYCLE.get(profile, "customer"),
        "owner": r.choice(["EC運営チーム", "店舗CRM"]),
        "email_opt_out": r.random() < 0.06,
        "custom_attributes": {
            "skin_type": r.choice(["乾燥肌", "混合肌", "敏感肌", "脂性肌", "普通肌"])
        },
    }
    beauty = catalogue().beauty
    favourites = r.sample([p for p in beauty if p.category != "定期便"], 3)
    if not female:
        favourites[0] = r.choice([p for p in beauty if p.brand == "SORA MEN"])
    cust = Cust(
        Ref("customer", source, ext_id),
        record,
        "beauty",
        fam[0],
        "ja",
        profile,
        romaji=f"{fam[2]} {given[2]}",
        favourites=favourites,
    )
    if profile != "lead":
        cust.first, cust.last, cust.n_orders = window(r, profile)
    return cust


def company(
    r: Random, uniq: Uniq, ext_id: str, profile: str = "account", language: str | None = None
) -> Cust:
    """A software account: a Japanese or an international company with two to four contacts."""
    vocab = names()
    japanese = r.random() < 0.6 if language is None else language == "ja"
    while True:
        if japanese:
            head, tail = r.choice(vocab["jp_company_heads"]), r.choice(vocab["jp_company_tails"])
            name, kana, industry = f"株式会社{head[0]}{tail[0]}", f"{head[1]}{tail[1]}", tail[2]
        else:
            tail_en = r.choice(vocab["en_company_tails"])
            head_en, form = r.choice(vocab["en_company_heads"]), r.choice(vocab["en_company_forms"])
            name = f"{head_en} {tail_en[0]} {form}"
            kana, industry = None, tail_en[1]
        if name not in uniq.names:
            uniq.names.add(name)
            break
    size = r.choice(["50-199", "200-999", "1000+", "10-49"])
    seats = {
        "10-49": r.randint(5, 20),
        "50-199": r.randint(15, 60),
        "200-999": r.randint(40, 200),
        "1000+": r.randint(120, 500),
    }[size]
    ascii_name = "".join(ch for ch in name.lower() if ch.isascii() and ch.isalnum())[:14]
    slug = ascii_name or f"{industry.split()[0]}{ext_id[-4:]}"
    domain = f"{slug}.example.com"
    place: dict[str, str | None]
    if japanese:
        pref, town, zip3 = r.choice(vocab["jp_places"])
        place = {
            "postal_code": f"{zip3}-{r.randint(0, 9999):04d}",
            "region": pref,
            "country": "JP",
            "address": f"{pref}{town}{r.randint(1, 5)}-{r.randint(1, 30)}-{r.randint(1, 20)}",
            "phone": uniq.landline(),
        }
    else:
        region, country, postal = r.choice(vocab["en_places"])
        place = {
            "postal_code": postal or None,
            "region": region,
            "country": country,
            "address": f"{r.randint(1, 400)} {r.choice(vocab['en_streets'])} St, {region}",
            "phone": None,
        }
    record: dict[str, Any] = {
        "external_id": ext_id,
        "kind": "company",
        "name": name,
        "name_kana": kana,
        "email": uniq.email("info", domain),
        "language": "ja" if japanese else "en",
        "industry": industry,
        "company_size": size,
        "annual_revenue": r.choice([3, 8, 15, 40, 120, 600]) * 100_000_000,
        "lifecycle_stage": "prospect" if profile == "prospect" else "customer",
        "owner": r.choice(vocab["b2b_staff_ja" if japanese else "b2b_staff_en"]),
        "email_opt_out": False,
        "custom_attributes": {"contract": "annual"},
        **place,
    }
    cust = Cust(
        Ref("customer", "demo-sfa", ext_id),
        record,
        "b2b",
        name,
        record["language"],
        profile,
        plan=r.choice(catalogue().software[:3]),
        seats=seats,
        connector=r.choice(["kintone", "Salesforce", "Slack", "Microsoft Teams"]),
    )
    roles = r.sample(vocab["jp_roles" if japanese else "en_roles"], r.randint(2, 4))
    for i, role in enumerate(roles):
        if japanese:
            fam = r.choice(vocab["surnames"])
            given = r.choice(vocab["given_male"] + vocab["given_female"])
            cname, ckana, local = (
                f"{fam[0]} {given[0]}",
                f"{fam[1]} {given[1]}",
                f"{given[2]}.{fam[2]}",
            )
        else:
            first, last = r.choice(vocab["en_first"]), r.choice(vocab["en_last"])
            cname, ckana, local = f"{first} {last}", None, f"{first}.{last}"
        cust.contacts.append(
            {
                "external_id": f"{ext_id}-C{i + 1}",
                "customer_external_id": ext_id,
                "name": cname,
                "name_kana": ckana,
                "role": role,
                "email": uniq.email(local, domain),
                "phone": uniq.mobile() if japanese else None,
                "is_decision_maker": role in vocab["decision_roles"],
            }
        )
    if profile != "prospect":
        cust.first = day_between(r, START_DATE, REFERENCE_DATE - timedelta(days=60))
        cust.last = REFERENCE_DATE - timedelta(days=r.randint(0, 120))
    return cust


class Population:
    """Creates customers with ids unique per source, all drawn from one random stream."""

    def __init__(self, r: Random) -> None:
        self.r = r
        self.uniq = Uniq(r)
        self.customers: list[Cust] = []
        self._counters: dict[str, int] = {}

    def _next_id(self, source: str) -> str:
        n = self._counters.get(source, 0) + 1
        self._counters[source] = n
        prefix = {"demo-ec": "EC", "demo-pos": "POS", "demo-sfa": "ACC"}[source]
        return f"{prefix}-{n:05d}"

    def person(self, source: str, profile: str | None = None) -> Cust:
        """A new cosmetics customer in source (demo-ec or demo-pos)."""
        c = person(
            self.r, self.uniq, self._next_id(source), source, profile or pick_profile(self.r)
        )
        self.customers.append(c)
        return c

    def company(self, profile: str = "account", language: str | None = None) -> Cust:
        """A new software account in demo-sfa."""
        c = company(self.r, self.uniq, self._next_id("demo-sfa"), profile, language)
        self.customers.append(c)
        return c
