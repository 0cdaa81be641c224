"""English records of the software vendor: meeting notes, calls, e-mails and support tickets."""

# ruff: noqa: E501 -- record texts are prose data; breaking them mid-sentence helps no reader.

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from demo.common import en_date, join_en, maybe, pick, some


@dataclass(frozen=True)
class B2BCtx:
    """What a B2B text may mention: the account, the contact and the current plan."""

    company: str
    contact: str
    role: str
    staff: str
    plan: str
    seats: int
    connector: str
    when: date


Text = tuple[str, str]


def _meeting(r: Random, c: B2BCtx) -> Text:
    extra = r.choice([10, 15, 20, 25, 40, 60])
    due = c.when + timedelta(days=r.randint(5, 21))
    lines = [
        f"Attendees: {c.contact} ({c.role}), {c.staff}."
        + maybe(r, 0.4, [" Their team lead joined for the second half."]),
        pick(
            r,
            [
                "Agenda: usage review, roadmap, renewal timing.",
                "Agenda: quarterly business review.",
                "Agenda: rollout to the second support team.",
                "Agenda: reporting needs and admin training.",
            ],
        ),
        *some(
            r,
            [
                "They run {seats} seats on {plan}; weekly active usage is around {pct}%.",
                "Ticket volume grew about {g}% since spring, mostly e-mail channel.",
                "They want SLA reports split by region and asked whether dashboards can be scheduled.",
                "Considering {extra} more seats for the Osaka team from next quarter.",
                "Their {conn} integration is live; they would like two-way sync of status fields.",
                "Budget for next fiscal year is being set in the coming weeks; procurement needs three quotes.",
                "Feedback: agents like the macro feature, managers find the report builder slow.",
            ],
            2,
            4,
            seats=c.seats,
            plan=c.plan,
            pct=r.randint(55, 95),
            g=r.randint(8, 40),
            extra=extra,
            conn=c.connector,
        ),
        "Next steps: "
        + pick(
            r,
            [
                "{staff} to share the admin training agenda by {due}.",
                "{staff} to check whether scheduled dashboards are on the roadmap and reply by {due}.",
                "Customer to confirm head-count for the rollout by {due}.",
                "Book a follow-up call in the week of {due}.",
            ],
            staff=c.staff.split(" (")[0],
            due=en_date(due, r),
        ),
    ]
    return pick(
        r,
        ["QBR with {co}", "Account review - {co}", "Meeting notes: {co}", "Rollout sync"],
        co=c.company,
    ), "\n".join(lines)


def _call(r: Random, c: B2BCtx) -> Text:
    body = join_en(
        [
            pick(
                r,
                ["Call with {n} ({role}).", "Short call with {n}.", "{n} called the account team."],
                n=c.contact,
                role=c.role,
            ),
            pick(
                r,
                [
                    "They asked how seat true-up works mid-term; explained pro-rata billing for added seats.",
                    "Checked in on onboarding: {p}% of agents have logged in at least once.",
                    "They are unhappy with the response time on their last two tickets and want a named contact.",
                    "Discussed moving from {plan} to the next tier for the audit-log feature.",
                    "They asked whether we offer a non-profit discount (we do not; offered annual prepay terms).",
                ],
                p=r.randint(40, 90),
                plan=c.plan,
            ),
            maybe(
                r,
                0.6,
                [
                    "Tone was friendly.",
                    "They sounded rushed; keep the follow-up short.",
                    "Decision sits with their {role}.",
                    "No blockers raised.",
                ],
                role=c.role,
            ),
            pick(
                r,
                [
                    "Follow-up e-mail sent the same day.",
                    "Will call again next month.",
                    "Logged in CRM.",
                ],
            ),
        ]
    )
    return pick(
        r, ["Call: {co}", "Check-in call", "Phone call with {n}"], co=c.company, n=c.contact
    ), body


def _mail(r: Random, c: B2BCtx) -> Text:
    body = join_en(
        [
            pick(r, ["Hi {n},", "Dear {n},", "Hello {n},"], n=c.contact.split()[0]),
            pick(
                r,
                [
                    "Thanks for your time on {d}.",
                    "Following up on our conversation last week.",
                    "As promised, here is a short summary.",
                ],
                d=en_date(c.when - timedelta(days=r.randint(1, 6))),
            ),
            pick(
                r,
                [
                    "The admin training for your team is confirmed; it covers routing rules, macros and reports.",
                    "Attached are the release notes for the new SLA dashboard, which your managers asked about.",
                    "We have enabled the sandbox environment for your {conn} tests until the end of the month.",
                    "Your usage report shows {seats} assigned seats out of {cap} purchased.",
                    "Our security whitepaper and the completed questionnaire are attached for your procurement team.",
                ],
                conn=c.connector,
                seats=c.seats - r.randint(0, 5),
                cap=c.seats,
            ),
            maybe(
                r,
                0.5,
                [
                    "Let me know if a different time works better.",
                    "Happy to set up a call if useful.",
                    "Please forward this to your IT team as needed.",
                ],
            ),
            pick(r, ["Best regards,", "Kind regards,", "Thanks,"]) + f" {c.staff.split(' (')[0]}",
        ]
    )
    return pick(
        r,
        ["Follow-up", "Re: next steps", "Training details", "Usage report", "Documents requested"],
    ), body


def _ticket(r: Random, c: B2BCtx) -> Text:
    kind = r.choice(["perf", "api", "export", "notify", "sync", "import"])
    detail = {
        "perf": [
            "The ticket list takes {s} seconds to load for agents in the {team} team since {d}.",
            "Report builder times out on the 90-day view.",
        ],
        "api": [
            "Their nightly script gets HTTP 429 from the REST API after about {n} calls.",
            "They asked for the API rate limit to be raised for a data migration weekend.",
        ],
        "export": [
            "CSV export of closed tickets cuts off Japanese characters in the subject column.",
            "They need a full data export for an internal audit by {d2}.",
        ],
        "notify": [
            "Agents stopped receiving e-mail notifications for new assignments on {d}.",
            "Slack notifications arrive twice for every reply.",
        ],
        "sync": [
            "Some records created in {conn} do not appear in SoranoDesk; about {n} missing since {d}.",
            "Field mapping for the priority field resets after every {conn} sync.",
        ],
        "import": [
            "Bulk user import fails with 'invalid role' for {n} rows.",
            "Custom field values were lost when importing the old helpdesk archive.",
        ],
    }[kind]
    fix = [
        "Cause: {cause}. Fixed and confirmed with the customer.",
        "Workaround provided; permanent fix in the next release.",
        "Escalated to engineering (ENG-{eng}).",
        "Resolved after clearing the cached filter; customer confirmed.",
    ]
    body = join_en(
        [
            pick(
                r,
                detail,
                s=r.randint(8, 30),
                team=r.choice(["billing", "tier-1", "Osaka", "night"]),
                d=en_date(c.when - timedelta(days=r.randint(1, 5)), r),
                n=r.randint(40, 900),
                conn=c.connector,
                d2=en_date(c.when + timedelta(days=14), r),
            ),
            pick(
                r,
                ["Reported by {n}.", "Raised through the portal by {n}.", "{n} called support."],
                n=c.contact,
            ),
            pick(
                r,
                fix,
                cause=r.choice(
                    [
                        "an index missing after the upgrade",
                        "a stale OAuth token",
                        "a mapping rule created by an admin",
                        "a bug in the CSV encoder",
                    ]
                ),
                eng=r.randint(1200, 4800),
            ),
        ]
    )
    return pick(r, ["[{k}] {co}", "Support ticket: {k}", "{k} issue"], k=kind, co=c.company), body


TOPICS_EN: dict[str, tuple[str, str, Callable[[Random, B2BCtx], Text]]] = {
    # topic -> (interaction kind, phase, writer)
    "meeting": ("meeting_note", "sales", _meeting),
    "call": ("call", "success", _call),
    "email": ("email", "success", _mail),
    "ticket": ("ticket", "support", _ticket),
}
