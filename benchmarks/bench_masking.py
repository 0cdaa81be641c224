"""Recall of the personal-data masker per kind, and how often it masks clean text.

Runs on a synthetic set (tests/assistant/personal_corpus.py, fixed seed): Japanese and English
CRM texts with planted names, e-mail addresses, phones, postal codes, addresses and card numbers
in varied formats. A planted value counts as masked when every one of its characters is inside a
masked span. The record's customer is known to the masker (as SQL knows it); the other names
are not. Clean texts (dates, order numbers, amounts, お客様, "Dear Customer") measure false masks.

    python benchmarks/bench_masking.py [--records 1200] [--clean 300] [--seed 13] [--misses 5]
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml

from assistant.masking.known import compile_known
from assistant.masking.masker import Masker
from tests.assistant.personal_corpus import (
    EN_FIRST,
    EN_LAST,
    JA_GIVEN,
    JA_SURNAMES,
    Record,
    corpus,
    en_address,
    ja_address,
)


def covered(masker: Masker, record: Record) -> set[int]:
    """The character positions of the record's text that the masker masks."""
    return {i for s in masker.spans(record.text) for i in range(s.start, s.end)}


DEMO = Path(__file__).resolve().parents[1] / "demo" / "data"


def article_texts() -> list[str]:
    """The demo's knowledge-base articles and questions: real clean text nobody wrote for this."""
    texts = []
    for name in ("articles_beauty.yaml", "articles_software.yaml"):
        for article in yaml.safe_load((DEMO / name).read_text(encoding="utf-8")):
            texts.append(f"{article['title']}\n{article['body']}")
    questions = yaml.safe_load((DEMO / "kb_questions.yaml").read_text(encoding="utf-8"))
    texts += [item["query"] for item in questions["questions"]]
    return texts


def false_masks(texts: list[str]) -> tuple[int, float, list[str]]:
    """(texts with any mask, share of characters masked, the masked strings)."""
    masked_texts = masked_chars = 0
    found = []
    for text in texts:
        spans = Masker().spans(text)
        if spans:
            masked_texts += 1
            masked_chars += sum(s.end - s.start for s in spans)
            found += [text[s.start : s.end] for s in spans]
    return masked_texts, masked_chars / max(1, sum(map(len, texts))), found


_ROLE_WORDS = re.compile(
    r"^(?:サポート|CS|営業|SE|BA|店舗スタッフ|担当)\s*|\s*\((?:Support|AE|CSM|SE|Sales)\)$"
)


def demo_held_out() -> dict[str, tuple[int, int]]:
    """On the demo company (texts nobody wrote for the masker): of the person names that occur
    in interaction texts, how many are masked: (masked, occurring) for names SQL knows (customers
    and contacts, as the masker gets them at run time) and for the staff names of the records'
    authors (unknown to SQL: the patterns alone); and the masked spans that hold none of them."""
    from demo.generator import generate

    data = generate(scale=0.1)
    people = [
        r
        for (_, entity, _), records in data.records.items()
        if entity in ("customer", "contact")
        for r in records
        if r.get("kind", "person") == "person"
    ]
    known_names = {r["name"] for r in people} | {
        r["name_kana"] for r in people if r.get("name_kana")
    }
    others = [
        (kind, r[field])
        for r in people
        for kind, field in (("PHONE", "phone"), ("POSTAL", "postal_code"), ("ADDRESS", "address"))
        if r.get(field)
    ]
    known = compile_known(known_names, others)
    interactions = [
        r
        for (_, entity, _), records in data.records.items()
        if entity == "interaction"
        for r in records
    ]
    staff = {
        _ROLE_WORDS.sub("", r["author"]).strip()
        for r in interactions
        if r.get("author") and _ROLE_WORDS.sub("", r["author"]) != r["author"]
    }

    # A name counts by its parts too: "三浦様" names 三浦 悠真.
    def parts(names: set[str]) -> set[str]:
        return {p for n in names for p in n.split() if len(p) >= 2} | names

    counts = {"names SQL knows": [0, 0], "staff names (patterns only)": [0, 0]}
    # Masked spans that hold no name, part of a name (one character too: 森) or known number:
    # what the masker took that nobody labelled (examples printed).
    every_part = {p for n in known_names | staff for p in n.split()} | {v for _, v in others}
    unlabelled: list[str] = []
    total = 0
    for r in interactions:
        text = f"{r.get('subject') or ''}\n{r['body']}"
        spans = Masker(known).spans(text)
        total += len(spans)
        unlabelled += [
            text[s.start : s.end]
            for s in spans
            if not any(p in text[s.start : s.end] for p in every_part)
            and s.kind in ("PERSON", "ADDRESS")
        ]
        for label, names in (
            ("names SQL knows", parts(known_names)),
            ("staff names (patterns only)", parts(staff)),
        ):
            for name in names:
                for m in re.finditer(re.escape(name), text):
                    counts[label][1] += 1
                    counts[label][0] += any(
                        s.start <= m.start() and m.end() <= s.end for s in spans
                    )
    out = {k: (v[0], v[1]) for k, v in counts.items()}
    examples = f" e.g. {', '.join(unlabelled[:5])}" if unlabelled else ""
    out[f"masked spans holding no labelled name or value{examples}"] = (len(unlabelled), total)
    return out


def scale(people: int) -> tuple[float, float, int]:
    """(seconds to compile the known values of `people` people, seconds to mask one prompt of
    60 records, the prompt's characters): the cost at a real customer base's size."""
    rng = random.Random(1)
    ja = [f"{a} {b}" for a, b in itertools.product(JA_SURNAMES, JA_GIVEN)]
    en = [f"{a} {b}" for a, b in itertools.product(EN_FIRST, EN_LAST)]
    names = [rng.choice(ja) if i % 2 else rng.choice(en) for i in range(people)]
    others: list[tuple[str, str]] = []
    for i in range(people):
        others += [("EMAIL", f"user{i}@example.com"), ("PHONE", f"+8190{i:08d}")]
        others += [
            ("POSTAL", f"{i:07d}"),
            ("ADDRESS", ja_address(rng) if i % 2 else en_address(rng)),
        ]
    started = time.perf_counter()
    known = compile_known(names, others)
    compiled = time.perf_counter() - started
    planted, _ = corpus(60, 0, seed=3)
    prompt = "\n".join(r.text for r in planted)
    started = time.perf_counter()
    Masker(known).mask(prompt)
    return compiled, time.perf_counter() - started, len(prompt)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1200)
    parser.add_argument("--clean", type=int, default=300)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--misses", type=int, default=5, help="missed values shown per kind")
    parser.add_argument("--people", type=int, default=10000, help="known people for the cost")
    args = parser.parse_args()
    planted, clean = corpus(args.records, args.clean, args.seed)
    hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: dict[str, list[str]] = defaultdict(list)
    started = time.perf_counter()
    for record in planted:
        masker = Masker(compile_known([record.customer], []))
        masked = covered(masker, record)
        for p in record.planted:
            kind = (
                p.kind
                if p.kind != "PERSON"
                else ("PERSON (known)" if p.known else "PERSON (pattern)")
            )
            whole = all(i in masked for i in range(p.start, p.end))
            for key in (kind, "PERSON (all)") if p.kind == "PERSON" else (kind,):
                hits[key][0] += whole
                hits[key][1] += 1
            if not whole:
                misses[kind].append(f"{p.value!r} in {record.text!r}")
    elapsed = time.perf_counter() - started
    false_records, false_share, false_found = false_masks([r.text for r in clean])
    articles = article_texts()
    article_records, article_share, article_found = false_masks(articles)
    print(f"{len(planted)} records with planted values, {len(clean)} clean; seed {args.seed}")
    print(f"{'kind':18} {'recall':>8} {'masked/planted':>16}")
    for kind in sorted(hits):
        n_masked, n = hits[kind]
        print(f"{kind:18} {n_masked / n:8.2%} {f'{n_masked}/{n}':>16}")
    print(
        f"false masks on clean synthetic text: {false_records}/{len(clean)} texts "
        f"({false_records / len(clean):.1%}), {false_share:.2%} of characters"
    )
    print(
        f"false masks on the demo's knowledge-base articles and questions: "
        f"{article_records}/{len(articles)} texts ({article_records / len(articles):.1%}), "
        f"{article_share:.2%} of characters"
    )
    print(f"masking time: {1000 * elapsed / len(planted):.2f} ms per record")
    for label, (n_masked, n) in demo_held_out().items():
        print(f"demo company, {label}: {n_masked}/{n} ({n_masked / max(1, n):.1%})")
    compiled, masked_s, chars = scale(args.people)
    print(
        f"with {args.people} known people: compiled in {compiled:.2f} s (again only when "
        f"people change), a {chars}-character prompt masked in {1000 * masked_s:.0f} ms"
    )
    for kind, found in sorted(misses.items()):
        for line in found[: args.misses]:
            print(f"  missed {kind}: {line}")
    for line in sorted(set(false_found + article_found))[: 4 * args.misses]:
        print(f"  false mask: {line!r}")


if __name__ == "__main__":
    main()
