"""Fictional people for the demo's year of MARAC history: victims, perpetrators, children.

Names are drawn from pools that go together (a victim's name, her ethnicity and her
perpetrator's name), so the agenda reads like a real partnership's and the equality figures
(BME, LGBT, disability, male victims, 16 and 17 year olds) have something to count. Every
address is on the demo's "Demo Road" in the invented NS postcode area, every phone number in
Ofcom's drama range (07700 900xxx): nothing here is a real person or place.

Two victims never share a surname and a date of birth (or one with day and month swapped),
so the history creates no "possible match" for the coordinator's review queue: a victim
referred again is the same person exactly, and the repeat rule flags her at once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any


def _names(text: str) -> list[str]:
    return text.split()


# (weight, ethnicity choices with their BME flag, victims' first names, surnames,
#  perpetrators' first names)
GROUPS: list[tuple[int, list[tuple[str, bool]], list[str], list[str], list[str]]] = [
    (
        66,
        [("White British", False), ("White Irish", False)],
        _names(
            "Bethan Caitlin Danielle Eleanor Gemma Hannah Imogen Kirsty Leanne Megan Olivia Paige "
            "Rebecca Stacey Tanya Vicky Zoe Chantelle Demi Emma Georgia Holly Joanne Kelly Lauren "
            "Natalie Rachel Sophie Kayleigh Lucy Jade Ruth Shannon Abbie Siobhan Courtney"
        ),
        _names(
            "Barker Bennett Davies Dixon Edwards Fletcher Grant Jenkins Lewis McAllister Parry "
            "Reid Robinson Stewart Sutherland Thompson Turner Ward Whitfield Wright Young Baxter "
            "Carr Elliott Foster Kennedy Lowe Nash Pearson Rowe Shaw Vaughan Wilkinson Yates "
            "Gallagher Doherty Murphy Quinn Walsh O'Brien Harding Pritchard Lambert Booth Gibson"
        ),
        _names(
            "Aaron Bradley Callum Darren Ethan Gary Jamie Jordan Karl Lee Mark Nathan Paul Ricky "
            "Scott Steven Wayne Connor Craig Dale Shaun Kieran"
        ),
    ),
    (
        12,
        [("Pakistani", True), ("Bangladeshi", True), ("Indian", True)],
        _names("Aisha Fatima Sadia Farah Amira Nazia Shazia Rubina Simran Harpreet Anjali"),
        _names("Ahmed Begum Chowdhury Hussain Iqbal Kaur Malik Akhtar Bibi Mahmood Sandhu Gill"),
        _names("Imran Tariq Zahid Kamran Asif Jaswinder Adil"),
    ),
    (
        8,
        [("Black African", True), ("Black Caribbean", True)],
        _names("Chiamaka Abena Blessing Grace Shanice Precious Funmi Adwoa"),
        _names("Mensah Osei Adeyemi Okonkwo Boateng Asante Oduya Clarke-Bello"),
        _names("Kwame Tunde Kofi Jermaine Marcus Delroy"),
    ),
    (
        8,
        [("White other: Polish", False), ("White other: Romanian", False)],
        _names("Agnieszka Ioana Marta Katarzyna Elena Justyna"),
        _names("Nowak Kowalska Popescu Wisniewska Lewandowska Ionescu Zielinska"),
        _names("Piotr Marek Andrei Tomasz Bogdan"),
    ),
    (
        6,
        [("Mixed: White and Black Caribbean", True)],
        _names("Jasmine Tia Keisha Leah Mya"),
        _names("Hollis Brathwaite Campbell-Reid Fraser Dacosta"),
        _names("Tyrone Reece Kyle Jerome"),
    ),
]
MALE_VICTIMS = _names("Daniel Owen Lewis Adam Josh")
FEMALE_PERPETRATORS = _names("Stacey Nicola Donna Kerry")
CHILDREN = _names(
    "Alfie Ava Charlie Ella Freddie Harry Isla Jack Leo Maisie Noah Oscar Poppy Ruby Theo "
    "Zainab Musa Lily Mia Ayaan Kacper Esme"
)
# Surnames of the demo's referrals outside the history and of its staff: never reused.
RESERVED = {"Cole", "O'Neill", "Price", "Hart", "Williams", "Shah", "Patel", "Hughes", "Lee"}


@dataclass
class Victim:
    """One person referred to MARAC, with what her referrals say about her household."""

    first_name: str
    last_name: str
    born: date
    gender: str
    ethnicity: str
    bme: bool
    lgbt: bool
    disability: bool
    perpetrator: tuple[str, str, str]  # first name, last name, relationship
    children: list[tuple[str, str, date]] = field(default_factory=list)
    house: int = 1


class People:
    """Draws fictional victims from a seeded generator, never two alike (module docstring)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.keys: set[tuple[str, date]] = set()
        self.count = 0

    def _free(self, last: str, born: date) -> bool:
        swapped = None
        if born.day <= 12:
            try:
                swapped = born.replace(month=born.day, day=born.month)
            except ValueError:
                swapped = None
        return last not in RESERVED and not {(last, born), (last, swapped)} & self.keys

    def victim(self, on: date) -> Victim:
        rng = self.rng
        while True:
            group = rng.choices(GROUPS, weights=[g[0] for g in GROUPS])[0]
            _, ethnicities, firsts, lasts, perps = group
            ethnicity, bme = rng.choice(ethnicities)
            young = rng.random() < 0.025  # SafeLives counts 16 and 17 year olds apart
            age_days = rng.randint(16 * 365 + 30, 17 * 365 + 300) if young else None
            age_days = age_days or rng.randint(19 * 365, 62 * 365)
            born = on - timedelta(days=age_days)
            last = rng.choice(lasts)
            if self._free(last, born):
                break
        self.keys.add((last, born))
        self.count += 1
        male = rng.random() < 0.04
        lgbt = rng.random() < 0.04
        first = rng.choice(MALE_VICTIMS if male else firsts)
        # a man harmed by a woman, or a woman by a woman
        perp_first = rng.choice(FEMALE_PERPETRATORS if male != lgbt else perps)
        married = rng.random() < 0.35
        relationship = rng.choice(["partner", "ex-partner", "ex-partner", "husband", "partner"])
        perp_last = last if married else rng.choice(lasts)
        victim = Victim(
            first_name=first,
            last_name=last,
            born=born,
            gender="male" if male else "female",
            ethnicity=ethnicity,
            bme=bme,
            lgbt=lgbt,
            disability=rng.random() < 0.12,
            perpetrator=(perp_first, perp_last, "wife" if married and male else relationship),
            house=self.count,
        )
        if not young and rng.random() < 0.45:
            for _ in range(rng.choices([1, 2, 3], weights=[5, 3, 1])[0]):
                oldest = min(15 * 365, age_days - 17 * 365)  # she was at least 17
                child_born = on - timedelta(days=rng.randint(60, oldest))
                surname = rng.choice([last, perp_last])
                victim.children.append((rng.choice(CHILDREN), surname, child_born))
        return victim


def dash_answers(yes: int) -> dict[str, str]:
    return {str(q): "yes" if q <= yes else "no" for q in range(1, 25)}


def referral_body(rng: random.Random, panel_id: Any, victim: Victim, day: date) -> dict[str, Any]:
    """A referral as the form sends it: most meet the visible-high-risk threshold (14 or
    more "yes" answers), some are referred on professional judgement or escalation."""
    route = rng.choices(["visible", "judgement", "escalation"], weights=[70, 15, 15])[0]
    yes = rng.randint(14, 21) if route == "visible" else rng.randint(7, 13)
    incidents = rng.randint(3, 6) if route == "escalation" else rng.randint(0, 2)
    judgement = route == "judgement"
    first, last, relationship = victim.perpetrator
    return {
        "panel_id": str(panel_id),
        "referral_date": day.isoformat(),
        "victim": {
            "first_name": victim.first_name,
            "last_name": victim.last_name,
            "date_of_birth": victim.born.isoformat(),
            "gender": victim.gender,
            "ethnicity": victim.ethnicity,
            "bme": victim.bme,
            "lgbt": victim.lgbt,
            "disability": victim.disability,
            "address": f"Flat {victim.house % 9 + 1}, {victim.house + 10} Demo Road, Northshire",
            "postcode": f"NS{victim.house % 7 + 1} {victim.house % 9 + 1}AB",
            "phone": f"07700 900{victim.house % 1000:03d}",
            "safe_to_call": rng.random() < 0.7,
        },
        "perpetrators": [
            {"first_name": first, "last_name": last, "relationship_to_victim": relationship}
        ],
        "children": [
            {"first_name": c_first, "last_name": c_last, "date_of_birth": born.isoformat()}
            for c_first, c_last, born in victim.children
        ],
        "risk": {
            "dash": dash_answers(yes),
            "police_incidents_12m": incidents,
            "professional_judgement": judgement,
            "professional_judgement_reason": (
                "Demo: controlling behaviour escalating since the pregnancy" if judgement else None
            ),
        },
        "victim_aware": True,
        "consent": rng.random() < 0.8,
        "summary": "Demo case: fictional details for trying the service.",
    }
