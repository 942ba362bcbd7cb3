"""Generated English news-style articles for fault and load tests (our own templates).

Each article combines a random political event sentence with sentences drawn from a pool, and a
serial-numbered detail, so two generated articles are never near-duplicates of each other.
"""

from __future__ import annotations

import random

LEADERS = [
    ("Kenyan President", "Amara Otieno", "Nairobi"), ("Peruvian Foreign Minister", "Lucia Quispe", "Lima"),
    ("Polish Prime Minister", "Tomasz Wrona", "Warsaw"), ("Thai Prime Minister", "Niran Chaiyo", "Bangkok"),
    ("Ghanaian President", "Kofi Mensah", "Accra"), ("Irish Foreign Minister", "Aoife Byrne", "Dublin"),
    ("Chilean President", "Tomas Ruiz", "Santiago"), ("Indonesian President", "Adi Wibowo", "Jakarta"),
]
ACTIONS = [
    "visited {place} on Monday and met government officials",
    "criticized the government of {country} on Tuesday over its border policy",
    "signed a trade agreement with {country} in {place} on Wednesday",
    "warned {country} on Thursday against further military exercises",
    "called on {country} to release detained journalists",
    "held talks with officials from {country} in {place} on Friday",
]
COUNTRIES = ["Brazil", "Egypt", "Norway", "Vietnam", "Morocco", "Canada", "Turkey", "Argentina"]
POOL = [
    "Officials described the meeting as constructive.", "Analysts expect further talks later this year.",
    "The two governments have disagreed on fishing rights for a decade.",
    "Trade between the countries rose sharply last year.", "Opposition lawmakers questioned the timing.",
    "A joint statement is expected next week.", "Security was tight around the venue.",
    "Diplomats said the agenda included energy and migration.",
    "Local newspapers gave the story wide coverage.",
    "The ministry did not comment on the details.", "Observers said relations had improved recently.",
    "Farmers' groups welcomed the news.", "Several ministers travelled with the delegation.",
    "Markets reacted calmly to the announcement.", "Human rights groups urged caution.",
    "The embassy issued a brief statement.", "Talks on a visa agreement have stalled since spring.",
    "Both sides promised to meet again soon.", "A press conference was cancelled at short notice.",
    "The parliament will debate the issue next month.", "Port workers staged a brief strike.",
    "Negotiators worked late into the night.", "Regional leaders followed the talks closely.",
    "Critics called the move symbolic.", "The central bank kept interest rates unchanged.",
]


def article_text(rng: random.Random, serial: int) -> str:
    """One generated article (about 80 words)."""
    title, name, place = rng.choice(LEADERS)
    country = rng.choice(COUNTRIES)
    event = rng.choice(ACTIONS).format(place=place, country=country)
    extra = rng.sample(POOL, 4)
    detail = (f"Record {serial} of the {rng.choice(['morning', 'evening', 'weekend'])} desk noted "
              f"{serial % 97 + 3} delegates and {serial % 13 + 2} interpreters at the venue.")
    return " ".join([f"{title} {name} {event}.", *extra, detail])


def articles(count: int, *, seed: int = 7, duplicate_share: float = 0.0,
             prefix: str = "gen") -> list[dict[str, str]]:
    """``count`` articles with distinct ids; ``duplicate_share`` of them copy an earlier text."""
    rng = random.Random(seed)
    originals = int(count * (1 - duplicate_share))
    out = [{"id": f"{prefix}-{i}", "text": article_text(rng, i), "source": f"Outlet {i % 5}",
            "published_at": "2024-05-17T12:00:00Z"} for i in range(originals)]
    for i in range(originals, count):
        copied = rng.choice(out[:originals])
        out.append({**copied, "id": f"{prefix}-{i}", "source": f"Outlet {i % 7}"})
    rng.shuffle(out)
    return out
