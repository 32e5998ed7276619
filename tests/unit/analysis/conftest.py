"""Builders of small synthetic complaint sets for the grouping tests, and the shared samples.

Texts are made of random common Chinese characters: two unrelated texts share almost no
3-character shingle, so every similarity in a test comes from what the builder copied on purpose.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
SAMPLES = SHARED / "samples"
REAL = SHARED / "data" / "real"
TEXT_COLUMNS = ("投诉内容", "问题描述")

_COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也"
    "能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实"
    "加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样"
    "与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情"
    "者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级"
    "少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色"
    "光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再"
    "采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马"
)
_PUNCT = "，。；：！？"


def words(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(_COMMON) for _ in range(length))


def sentence(rng: random.Random) -> str:
    return words(rng, rng.randint(18, 34)) + rng.choice(_PUNCT)


@dataclass
class Template:
    """A letter of ``sentences``; slot markers ``{name}``/``{amount}`` are filled per copy."""

    sentences: list[str]

    def render(self, rng: random.Random, *, perturb: float = 1.0) -> str:
        parts = list(self.sentences)
        if rng.random() < 0.5 * perturb and len(parts) > 6:
            del parts[rng.randrange(1, len(parts))]
        if rng.random() < 0.5 * perturb:
            i = rng.randrange(1, len(parts) - 1)
            parts[i], parts[i + 1] = parts[i + 1], parts[i]
        text = "".join(parts)
        name = words(rng, 3)
        amount = f"{rng.randint(1000, 99999)}.{rng.randint(0, 99):02d}"
        text = text.replace("{name}", name).replace("{amount}", amount)
        chars = list(text)
        for _ in range(int(rng.randint(0, 3) * perturb)):  # typos
            chars[rng.randrange(len(chars))] = rng.choice(_COMMON)
        return "".join(chars)

    def fork(self, rng: random.Random, share: float = 0.35) -> Template:
        """A sub-agency's copy: ``share`` of the sentences rewritten, one sentence added."""
        parts = list(self.sentences)
        for i in rng.sample(range(1, len(parts)), max(1, round(share * len(parts)))):
            parts[i] = sentence(rng)
        parts.insert(rng.randrange(1, len(parts)), sentence(rng))
        return Template(parts)


def new_template(rng: random.Random, sentences: int = 12) -> Template:
    parts = [sentence(rng) for _ in range(sentences)]
    parts[0] = "本人{name}，" + parts[0]
    parts[2] = parts[2][:-1] + "，欠款{amount}元。"
    return Template(parts)


def genuine(rng: random.Random) -> str:
    return "".join(sentence(rng) for _ in range(rng.randint(4, 9)))


@dataclass
class Corpus:
    """Texts with their true family (None: genuine) and variant."""

    rng: random.Random
    texts: list[str] = field(default_factory=list)
    family: list[str | None] = field(default_factory=list)
    variant: list[str | None] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)

    def add(self, text: str, family: str | None, variant: str | None, kind: str) -> int:
        self.texts.append(text)
        self.family.append(family)
        self.variant.append(variant)
        self.kind.append(kind)
        return len(self.texts) - 1

    def pairs(self) -> list[tuple[int, str]]:
        return list(enumerate(self.texts))

    def ids(self, kind: str) -> list[int]:
        return [i for i, k in enumerate(self.kind) if k == kind]


@pytest.fixture
def corpus() -> Callable[[int], Corpus]:
    def make(seed: int) -> Corpus:
        return Corpus(random.Random(seed))

    return make


@pytest.fixture
def builders() -> Any:
    """The module's builder functions, for tests that compose their own data."""

    class Builders:
        words = staticmethod(words)
        sentence = staticmethod(sentence)
        new_template = staticmethod(new_template)
        genuine = staticmethod(genuine)
        Template = Template

    return Builders


@dataclass(frozen=True)
class Sample:
    numbers: list[str]
    texts: list[str]
    truth: dict[str, Any]

    def pairs(self) -> list[tuple[int, str]]:
        return list(enumerate(self.texts))


def read_sample(name: str, encoding: str) -> Sample:
    """A sample export, duplicates by complaint number removed, with its truth entries."""
    path = SAMPLES / f"{name}.csv"
    truth_path = SAMPLES / f"{name}.truth.json"
    if not path.is_file() or not truth_path.is_file():
        pytest.skip(f"sample {name} not found under {SAMPLES}")
    truth = json.loads(truth_path.read_text(encoding="utf-8"))["complaints"]
    unique: dict[str, str] = {}
    with path.open(encoding=encoding, newline="") as fh:
        rows = csv.reader(fh)
        header = next(rows)
        column = next(i for i, h in enumerate(header) if h in TEXT_COLUMNS)
        for row in rows:
            if row and any(row):
                unique.setdefault(row[0], row[column])
    return Sample(list(unique), list(unique.values()), {n: truth[n] for n in unique})


@pytest.fixture(scope="session")
def excel_sample() -> Iterator[Sample]:
    yield read_sample("complaints_excel", "gb18030")


@pytest.fixture(scope="session")
def hard_sample() -> Iterator[Sample]:
    yield read_sample("complaints_hard", "utf-8-sig")
