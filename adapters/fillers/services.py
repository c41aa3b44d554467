"""Client words → the salon's services, for any catalogue (the invariants of issue 13).

The text is read into *groups*: the service words said together ("детскую стрижку",
"стрижкой бороды", "сына подстричь"), split at joiners ("и", "+", "с", ",", "а"), at
sentence ends and line breaks, and after more than `_MAX_GAP` other words. Then:

- each title covers groups: one group per part of the title, so "Стрижка + борода"
  covers "стрижку и бороду" but never "стрижку бороды", and "Стрижка бороды" covers
  "стрижку бороды" but never "стрижку и бороду";
- a group asks for a service only when it holds an action or an object ("стрижку",
  "бороду"); a group of modifiers only ("у меня двое детей") asks for nothing, and a
  modifier never reaches across a comma, a sentence or a line;
- the best cover wins: most groups explained by one title, the object said (a title about
  the beard for "подстричь бороду"), most of what was said, fewest words unsaid ("стрижку"
  → "Мужская стрижка", not "Стрижка машинкой"), then the catalogue's order;
- each group gets exactly one service, so a title said verbatim or inflected selects
  exactly that service and a generic word selects one.

Work is bounded: at most `MAX_SERVICE_WORDS` service words are read (a booking names a
few), and each costs dictionary lookups, so the time is linear in the text's length.
"""

from __future__ import annotations

import collections
import dataclasses
import itertools
import re

from adapters.fillers.lexicon import ROLE_COST, service_lexicon
from adapters.fillers.story import ASKING, ASKING_STEMS, PAST_ENDINGS, tells
from adapters.fillers.text import word_pattern
from adapters.fillers.titles import NEGATORS, Title, TitleIndex, concept_of, title_index
from states.slot_fill import Catalogue

MAX_SERVICE_WORDS = 64
_MAX_GAP = 3
_NEAR = 4
_MAX_TOLD = 8  # past-tense candidates parsed per sentence
_TOKEN = re.compile(r"[a-zа-яё]+(?:'[a-z]+)?|\d+|[+&/,]|[.!?;\n…]")
_SENTENCE_END = frozenset(".!?;\n…")
_WORDS = re.compile(r"[a-zа-яё]+(?:'[a-z]+)?")
# "не стрижку, а бороду": a service word right after "не" is not asked for ("нет, стрижку"
# is: "нет" answers the bot, it does not negate the word after its comma).
_REJECT = frozenset({"не", "not"})
_FEMALE = word_pattern(r"\b(?:хотела|записалась|могла|думала|планировала|собиралась)\b")
_MALE = word_pattern(r"\b(?:хотел|записался|мог|думал|планировал|собирался)\b")


@dataclasses.dataclass
class _Group:
    concepts: set[str]
    spans: list[tuple[int, int]]
    segment: int
    rejected: bool = False
    near: set[str] = dataclasses.field(default_factory=set)  # words right around it


@dataclasses.dataclass(frozen=True)
class ServiceMatch:
    name: str
    phrase: str  # the client's words (from `text`, or the original when given)
    start: int


def _read_groups(text: str, index: TitleIndex) -> list[_Group]:
    """Service-word groups in order; each knows the words said right around it (up to
    `_NEAR` on each side, not across a joiner or a sentence end) for title qualifiers.
    Groups in a sentence that tells a story instead of asking are dropped (`_story`)."""
    joiners = service_lexicon().joiners
    groups: list[_Group] = []
    # Each distinct word's concept, found once (a long text repeats its words).
    concepts = index.concepts_of_words(frozenset(_WORDS.findall(text)))
    if not any(concepts.values()):
        return groups  # no service word at all: the text is not walked
    segment, gap, seen = 0, 0, 0
    current: _Group | None = None
    before: collections.deque[str] = collections.deque(maxlen=_NEAR)
    after = 0  # words still to add to the last group's `near`
    joined = negate = reject = False
    # words that may be past-tense verbs, per sentence: parsed only where a group is
    maybe_told: dict[int, list[str]] = {}
    asked: set[int] = set()  # sentences with a request ("запишите", "хочу", "можно", "бы")
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if tok in _SENTENCE_END or tok in joiners or tok == ",":
            before.clear()
            after, reject = 0, False
            if tok in ASKING:
                asked.add(segment)  # "?" ends a sentence that asks
            if tok in _SENTENCE_END:
                segment, current = segment + 1, None
            else:
                joined = True
            continue
        if tok in NEGATORS:
            negate = True
            continue
        concept = concepts[tok] if tok in concepts else index.concept_of_word(tok)
        if concept is None:
            if tok in ASKING or tok.startswith(ASKING_STEMS):
                asked.add(segment)
            elif tok.endswith(PAST_ENDINGS):
                maybe_told.setdefault(segment, []).append(tok)
            reject = tok in _REJECT
            before.append(tok)
            if after and groups:
                groups[-1].near.add(tok)
                after -= 1
            gap += 1
            if gap > _MAX_GAP:
                current, negate = None, False
            continue
        if tok.endswith(PAST_ENDINGS):  # "стриглась у вас вчера" tells, it does not ask
            maybe_told.setdefault(segment, []).append(tok)
        if current is None or joined:
            current = _Group(set(), [], segment, rejected=reject, near=set(before))
            groups.append(current)
        current.concepts.add(("-" if negate else "") + concept)
        current.spans.append(m.span())
        current.near.add(tok)  # a title's qualifier may be a service word ("(1 ноготь)")
        gap, joined, negate, reject, after = 0, False, False, False, _NEAR
        seen += 1
        if seen >= MAX_SERVICE_WORDS:
            break
    with_groups = {g.segment for g in groups} - asked
    stories = {
        seg for seg in with_groups if any(tells(w) for w in maybe_told.get(seg, ())[:_MAX_TOLD])
    }
    return [g for g in groups if g.segment not in stories]


def _with_traits(groups: list[_Group], index: TitleIndex) -> list[_Group]:
    """Groups of hair traits only ("длинные волосы") join the next (else the previous)
    group of the same sentence that asks for a service."""
    kept: list[_Group] = []
    for i, group in enumerate(groups):
        traits = all(
            concept_of(c, index.concepts).sentence_reach
            or concept_of(c, index.concepts).role == "weak"
            for c in group.concepts
        )
        if not traits:
            kept.append(group)
            continue
        same = [g for g in groups[i + 1 :] + groups[:i][::-1] if g.segment == group.segment]
        target = next((g for g in same if _asks(_effective(g, index), index)), None)
        if target is None:
            kept.append(group)
        else:
            target.concepts |= group.concepts
    return kept


def _effective(group: _Group, index: TitleIndex) -> set[str]:
    """The group's concepts, without actions that need an object it lacks."""
    has_object = any(concept_of(c, index.concepts).role == "object" for c in group.concepts)
    return {
        c for c in group.concepts if has_object or not concept_of(c, index.concepts).needs_object
    }


def _asks(concepts: set[str], index: TitleIndex) -> bool:
    return any(concept_of(c, index.concepts).asks for c in concepts)


@dataclasses.dataclass(frozen=True)
class _Cover:
    key: tuple[float, ...]
    title: Title
    groups: tuple[int, ...]


def _assign(
    title: Title, run: list[int], concepts: list[set[str]], index: TitleIndex
) -> dict[int, set[str]] | None:
    """part -> the group said for it: each group to its own part, most overlap first."""
    best: tuple[int, dict[int, set[str]]] | None = None
    for parts in itertools.permutations(range(len(title.parts)), len(run)):
        overlap = 0
        for g, p in zip(run, parts, strict=True):
            shared = concepts[g] & title.parts[p]
            if not shared - _weak(shared, index) or _contradicts(concepts[g], title.concepts):
                break
            overlap += len(shared)
        else:
            if best is None or overlap > best[0]:
                best = (overlap, {p: concepts[g] for g, p in zip(run, parts, strict=True)})
    return best[1] if best else None


def _contradicts(said: set[str], part: frozenset[str]) -> bool:
    """ "маникюр без покрытия" is not "Маникюр с покрытием", nor the other way round."""
    return any(("-" + c) in part or (c.startswith("-") and c[1:] in part) for c in said)


def _score(
    title: Title, run: list[int], concepts: list[set[str]], words: set[str], index: TitleIndex,
    gender: str | None,
) -> _Cover | None:  # fmt: skip
    used = _assign(title, run, concepts, index)
    if used is None:
        return None
    matched = unsaid = 0.0
    misses = 0
    for p, said in used.items():
        objects = {c for c in said if concept_of(c, index.concepts).role == "object"}
        misses += bool(objects) and not objects & title.parts[p]
    for p, part in enumerate(title.parts):
        said = used.get(p, set())
        for c in part:
            concept = concept_of(c, index.concepts)
            weight = 0.1 if concept.role == "weak" else 1.0
            if c in said:
                matched += weight
            else:
                unsaid += concept.cost
    quals = sum(1 for forms in title.qualifiers if forms & words)
    # An unsaid qualifier narrows the title ("Стрижка (до 30 мин)" is a quick variant):
    # it costs like a weak word, so the plain title is the one a generic word means.
    unsaid += ROLE_COST["weak"] * (len(title.qualifiers) - quals)
    sex = 0
    if gender is not None:
        sex = (
            1 if gender in title.concepts else -1 if title.concepts & {"мужской", "женский"} else 0
        )
    # The client's grammatical gender ("хотела") picks a women's title before the cost of
    # unsaid words does; otherwise it only breaks ties.
    # Rounded: float sums in set order differ in the last bit, and ties must stay ties.
    matched, unsaid = round(matched, 6), round(unsaid, 6)
    key = (-misses, len(run), matched, quals, sex, -unsaid, quals - len(title.qualifiers),
           -title.index)  # fmt: skip
    return _Cover(key, title, tuple(run))


def _weak(concepts: set[str], index: TitleIndex) -> set[str]:
    return {c for c in concepts if concept_of(c, index.concepts).role == "weak"}


def match_services(text: str, catalogue: Catalogue, raw: str | None = None) -> list[ServiceMatch]:
    """The catalogue services the normalised `text` asks for, in order of mention.

    `raw` (same length as `text`) gives the phrases in the client's own spelling.
    """
    index = title_index(catalogue)
    groups = _with_traits([g for g in _read_groups(text, index) if not g.rejected], index)
    concepts = [_effective(g, index) for g in groups]
    gender = "женский" if _FEMALE.search(text) else "мужской" if _MALE.search(text) else None
    covers: list[_Cover] = []
    for start in range(len(groups)):
        said = concepts[start] - _weak(concepts[start], index)
        candidates = {id(t): t for c in said for t in index.titles_with.get(c, ())}
        for title in sorted(candidates.values(), key=lambda t: t.index):
            run: list[int] = []
            for g in range(start, min(start + len(title.parts), len(groups))):
                if groups[g].segment != groups[start].segment:
                    break
                run.append(g)
                whole = len(run) == len(title.parts) > 1  # "Отец + сын", said in full
                if not whole and not any(_asks(concepts[i], index) for i in run):
                    continue
                near = set().union(*(groups[i].near for i in run))
                cover = _score(title, run, concepts, near, index, gender)
                if cover is not None:
                    covers.append(cover)
    covers.sort(key=lambda c: c.key, reverse=True)
    needed = {i for i, c in enumerate(concepts) if _asks(c, index)}
    taken: set[int] = set()
    chosen: list[tuple[int, Title, list[tuple[int, int]]]] = []
    wanted = needed | {g for c in covers if len(c.groups) > 1 for g in c.groups}
    for cover in covers:
        if not wanted - taken:
            break
        if taken & set(cover.groups):
            continue
        taken.update(cover.groups)
        spans = [s for g in cover.groups for s in groups[g].spans]
        chosen.append((spans[0][0], cover.title, spans))
    source = raw if raw is not None and len(raw) == len(text) else text
    result: list[ServiceMatch] = []
    for start, title, spans in sorted(chosen, key=lambda c: c[0]):
        if any(m.name == title.name for m in result):
            continue
        phrase = " ".join(dict.fromkeys(source[s:e] for s, e in sorted(spans)))
        result.append(ServiceMatch(title.name, phrase, start))
    return result


def requested_concepts(text: str, catalogue: Catalogue) -> set[str]:
    """Concepts of the groups that ask for a service (what the client really asked for)."""
    index = title_index(catalogue)
    groups = _read_groups(text, index)
    asked: set[str] = set()
    for group in groups:
        concepts = _effective(group, index)
        if not group.rejected and _asks(concepts, index):
            asked |= concepts
    return asked
