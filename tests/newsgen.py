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


# ---------------------------------------------------------------- long articles (300-800 words)

FIRST_NAMES = ["Amara", "Lucia", "Tomasz", "Niran", "Kofi", "Aoife", "Tomas", "Adi", "Mariam", "Jonas",
               "Elena", "Rashid", "Ingrid", "Paulo", "Sakura", "Dmitri", "Fatima", "Hugo", "Leila", "Omar",
               "Grace", "Mateo", "Yuki", "Samuel", "Nadia", "Viktor", "Chloe", "Ibrahim", "Rosa", "Kwame"]
LAST_NAMES = ["Otieno", "Quispe", "Wrona", "Chaiyo", "Mensah", "Byrne", "Ruiz", "Wibowo", "Haddad",
              "Lindqvist", "Petrova", "Karimi", "Solberg", "Ferreira", "Tanaka", "Orlov", "Diallo",
              "Moreau", "Nasser", "Farouk", "Achieng", "Castillo", "Sato", "Boateng", "Novak", "Kowalski"]
ROLES = ["foreign minister", "defence minister", "trade minister", "prime minister", "president",
         "opposition leader", "central bank governor", "finance minister", "interior minister",
         "ambassador", "army chief", "energy minister", "health minister", "senior diplomat"]
NATIONS = [("Kenya", "Kenyan", "Nairobi"), ("Peru", "Peruvian", "Lima"), ("Poland", "Polish", "Warsaw"),
           ("Thailand", "Thai", "Bangkok"), ("Ghana", "Ghanaian", "Accra"), ("Ireland", "Irish", "Dublin"),
           ("Chile", "Chilean", "Santiago"), ("Indonesia", "Indonesian", "Jakarta"),
           ("Brazil", "Brazilian", "Brasilia"), ("Egypt", "Egyptian", "Cairo"),
           ("Norway", "Norwegian", "Oslo"), ("Vietnam", "Vietnamese", "Hanoi"),
           ("Morocco", "Moroccan", "Rabat"), ("Canada", "Canadian", "Ottawa"),
           ("Turkey", "Turkish", "Ankara"), ("Argentina", "Argentine", "Buenos Aires"),
           ("Japan", "Japanese", "Tokyo"), ("Nigeria", "Nigerian", "Abuja"),
           ("Mexico", "Mexican", "Mexico City"), ("Sweden", "Swedish", "Stockholm"),
           ("Pakistan", "Pakistani", "Islamabad"), ("Colombia", "Colombian", "Bogota"),
           ("Senegal", "Senegalese", "Dakar"), ("Greece", "Greek", "Athens")]
TOPICS = ["fishing rights", "a gas pipeline", "border crossings", "grain exports", "visa rules", "port fees",
          "a rail link", "water sharing", "refugee returns", "mining licences", "air routes",
          "tariffs on steel", "a power line", "debt relief", "vaccine supplies", "coastal patrols",
          "election monitoring", "a fertiliser deal", "cyber security", "river dams", "customs checks",
          "student exchanges"]
DAYS = ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday", "on Sunday",
        "late on Tuesday", "early on Friday", "this week", "last month", "on Thursday evening"]
GROUPS = ["farmers", "port workers", "teachers", "truck drivers", "nurses", "students", "miners",
          "taxi drivers", "fishermen", "shopkeepers", "rail workers", "doctors"]
VERBS = ["visited", "criticized", "praised", "warned", "met", "accused", "thanked", "urged", "condemned",
         "welcomed", "invited", "threatened"]
LONG_TEMPLATES = [
    "{person} {verb} {country} {day} over {topic}.",
    "{demonym} officials said {day} that talks on {topic} had made progress.",
    "{person}, speaking in {city} {day}, said {topic} would top the agenda.",
    "About {n} {group} marched through {city} {day} to protest against {topic}.",
    "Police in {city} arrested {n2} {group} after clashes near the parliament.",
    "{person} is expected to travel to {city} next week for talks with {person2}.",
    "The {demonym} government signed an agreement with {country} on {topic} in {city}.",
    "Critics of {person} said the plan on {topic} would cost {n} million dollars.",
    "{person2} rejected the accusation and called it an attack on {demonym} sovereignty.",
    "Trade between {country} and {country2} rose {pct} percent last year, official figures show.",
    "Diplomats from {country2} described the meeting in {city} as frank and useful.",
    "{person} told reporters in {city} that {country2} must respect its commitments on {topic}.",
    "The {demonym} parliament will vote on {topic} {day}, according to {person2}.",
    "Opposition lawmakers in {city} demanded that {person} resign over {topic}.",
    "{demonym} troops were deployed to the border with {country2} {day}.",
    "In a statement, the ministry in {city} said {n2} {group} had been detained.",
    "{person2} and {person} held a joint news conference in {city} {day}.",
    "Officials from {country} and {country2} will meet again in {month} to discuss {topic}.",
    "The talks in {city} were the first of their kind since {year}, analysts said.",
    "{person} appealed to {country2} to release {n2} detained {group}.",
    "Markets in {city} fell {pct} percent after {person} announced new rules on {topic}.",
    "A spokesperson for {person2} said {country2} would study the proposal on {topic}.",
    "{n} {group} went on strike in {city} {day}, demanding higher wages.",
    "{country2} recalled its ambassador from {city} after {person} {verb} its leaders.",
]
MONTHS = ["January", "March", "April", "June", "September", "October", "November", "December"]


def _person(rng: random.Random) -> tuple[str, str, str, str]:
    country, demonym, city = rng.choice(NATIONS)
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return f"{demonym} {rng.choice(ROLES).title()} {name}", country, demonym, city


def long_article_text(rng: random.Random, serial: int, words: int) -> str:
    """One generated article of about ``words`` words (a headline, then paragraphs of our own
    template sentences with slots filled at random, so two articles share few 5-word runs)."""
    person, country, demonym, city = _person(rng)
    sentences: list[str] = []
    count = 0
    while count < words:
        person2, country2, _, _ = _person(rng)
        slots = {"person": person, "person2": person2, "country": country, "country2": country2,
                 "demonym": demonym, "city": city, "topic": rng.choice(TOPICS), "day": rng.choice(DAYS),
                 "group": rng.choice(GROUPS), "verb": rng.choice(VERBS), "month": rng.choice(MONTHS),
                 "n": rng.randint(2, 90) * 100, "n2": rng.randint(3, 60), "pct": rng.randint(2, 40),
                 "year": rng.randint(1990, 2021)}
        sentence = rng.choice(LONG_TEMPLATES).format(**slots)
        sentences.append(sentence)
        count += sentence.count(" ") + 1
    sentences.append(f"Record {serial} was filed by the {rng.choice(['morning', 'evening', 'night'])} desk.")
    blocks = [f"{person.split(' ', 1)[1]} {rng.choice(VERBS)} {country} in row over {rng.choice(TOPICS)}"]
    i = 0
    while i < len(sentences):
        size = rng.randint(2, 4)
        blocks.append(" ".join(sentences[i:i + size]))
        i += size
    blocks[1] = f"{city.upper()} — {blocks[1]}"
    return "\n\n".join(blocks) + "\n"


def long_articles(count: int, *, seed: int = 7, min_words: int = 300, max_words: int = 800,
                  duplicate_share: float = 0.0, prefix: str = "long") -> list[dict[str, str]]:
    """``count`` articles of ``min_words``-``max_words`` words with distinct ids; ``duplicate_share``
    of them copy an earlier text, half exactly and half as a syndicated variant (new headline,
    edited words, a footer: a near duplicate)."""
    import syndication  # tests/ is on the path wherever this module is

    rng = random.Random(seed)
    originals = count - int(count * duplicate_share)
    out = [{"id": f"{prefix}-{i}", "text": long_article_text(rng, i, rng.randint(min_words, max_words)),
            "source": f"Outlet {i % 5}", "published_at": "2024-05-17T12:00:00Z"} for i in range(originals)]
    for i in range(originals, count):
        copied = rng.choice(out[:originals])
        text = copied["text"] if i % 2 else syndication.copy_edit(copied["text"], rng)
        out.append({**copied, "id": f"{prefix}-{i}", "text": text, "source": f"Outlet {i % 7}"})
    rng.shuffle(out)
    return out
