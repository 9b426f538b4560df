"""The per-sentence verdict: claim triggers + hedge scope + sources → label and category.

Works on the rule matches the components stored on the doc, so it needs no parser. Scopes
follow ConText: a cue governs the tokens after it (or before it, for "backward" cues) up to
the end of its clause, and clauses end at terminators such as "but", "however" or ";".
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

import numpy
from spacy.attrs import IDX, LENGTH, ORTH
from spacy.tokens import Doc

from audit.claims import extensions  # noqa: F401  (declares the attributes)
from audit.claims.columns import column

# how far (tokens) a pair's halves may sit apart, and a negation reaches
TREAT_WINDOW = 8
BIO_WINDOW = 7
REVERSE_WINDOW = 3
RECOVERY_WINDOW = 5
SCARE_WINDOW = 9
CHANGE_WINDOW = 5
NEGATION_REACH = 7
HEADING_MAX = 10
MAX_SENTENCE_TOKENS = 1500
# category order for an unsupported claim (guideline precedence, authority handled first)
PRECEDENCE = ("absolute_or_guarantee", "disease_treatment", "safety", "biological_effect")
# for a supported or hedged claim the category is the underlying effect
EFFECT_PRECEDENCE = ("disease_treatment", "safety", "biological_effect", "absolute_or_guarantee")
# reference markers and links cite their own sentence; a named study backs the ones after it
PROPAGATING = {"study", "study_ref"}
NEEDS_ATTRIBUTION = {"person", "institution"}


@dataclass
class Trigger:
    start: int
    end: int
    category: str
    rules: tuple
    strong: bool = True


@dataclass
class Verdict:
    label: str
    category: str
    trigger: str | None = None
    hedge: str | None = None
    source: str | None = None
    rule_ids: list = field(default_factory=list)
    reasons: list = field(default_factory=list)
    suggestion: str = ""


NO_CLAIM = "no_claim"
UNSUPPORTED = "unsupported_claim"
SUPPORTED = "supported_or_hedged_claim"


class Sentence:
    """The matches of one sentence, grouped by kind, plus its clause layout."""

    def __init__(self, doc: Doc, start: int, end: int, claims, hedges, sources, colons=(), offsets=None):
        self.doc, self.start, self.end = doc, start, end
        self.offsets = offsets
        self.kinds: dict[str, list] = {}
        for match in claims:
            self.kinds.setdefault(match[2].kind, []).append(match)
        if "skin_type" in self.kinds and "condition" in self.kinds:
            # "for acne-prone skin" names a skin type, not a condition being treated
            types = [(s, e) for s, e, _ in self.kinds["skin_type"]]
            self.kinds["condition"] = [
                m for m in self.kinds["condition"] if not any(s <= m[0] < e for s, e in types)
            ]
        pseudo = [(m[0], m[1]) for m in hedges if m[2].kind == "pseudo_hedge"]
        self.hedges = [
            m for m in hedges if m[2].kind == "hedge" and not any(ps <= m[0] < pe for ps, pe in pseudo)
        ]
        self.terminators = sorted(m[0] for m in hedges if m[2].kind == "terminator")
        self.sources = sources
        self.body_start = heading_end(colons, start, end)

    def get(self, kind: str) -> list:
        return self.kinds.get(kind, [])

    def clause(self, i: int) -> int:
        return bisect_right(self.terminators, i)

    def text(self, start: int, end: int) -> str:
        if self.offsets is None:
            return self.doc[start:end].text
        begin, ends, text = self.offsets
        return text[begin[start] : ends[end - 1]]


def heading_end(colons, start: int, end: int) -> int:
    """Index after a leading label such as "How it helps:" or "Improved Blood Flow:"
    (``colons``: sorted token indices of ":" in the doc)."""
    k = bisect_right(colons, start - 1)
    if k < len(colons) and colons[k] < min(end - 1, start + HEADING_MAX):
        return colons[k] + 1
    return start


def char_offsets(doc: Doc) -> tuple[list[int], list[int], str]:
    """Start and end character of every token and the text (``doc.text`` is rebuilt from the
    tokens on every access, so it is read once), to cut trigger texts out cheaply."""
    begin = column(doc, IDX)
    return begin.tolist(), (begin + column(doc, LENGTH)).tolist(), doc._.source_text or doc.text


def colon_positions(doc: Doc) -> list[int]:
    colon = doc.vocab.strings.add(":")
    return numpy.flatnonzero(column(doc, ORTH) == colon).tolist()


def _between_cosmetic(sent: Sentence, left: int, right: int) -> bool:
    return any(left <= m[0] < right for m in sent.get("cosmetic"))


def _pairs(sent, heads, tails, window, category, strong=True, reverse=False):
    """Triggers made of a head (verb) and a tail (target) at most ``window`` tokens apart, in
    the same clause, with no appearance wording between them. Tails are start-sorted, so only
    the few near each head are looked at (a 100 KB run-on sentence stays linear)."""
    if not heads or not tails:
        return []
    found = []
    starts = [t[0] for t in tails]
    for hs, he, hr in heads:
        low = bisect_right(starts, hs - window - 2) if reverse else bisect_right(starts, hs)
        high = bisect_right(starts, hs) if reverse else bisect_right(starts, he + window)
        for ts, te, tr in tails[low:high]:
            if hr.group != tr.group:
                continue
            gap = ts - he if not reverse else hs - te
            if not (-1 <= gap <= window) or (ts < hs) != reverse or ts == hs:
                continue
            left, right = (hs, te) if not reverse else (ts, he)
            gap_start, gap_end = (he, ts) if not reverse else (te, hs)
            if sent.clause(hs) != sent.clause(ts) or _between_cosmetic(sent, gap_start, gap_end):
                continue
            strength = strong and not (hr.weak or tr.weak)
            found.append(Trigger(left, right, category, (hr, tr), strength))
    return found


def _nominal(sent: Sentence, verbs: list) -> list:
    """Verbs that can follow their condition: "burn healing", "acne-fighting", "used to treat"
    (not "hair loss is a calm place", where "calm" is an adjective)."""
    doc = sent.doc
    return [v for v in verbs if doc[v[0]].lower_.endswith("ing") or (v[0] > 0 and doc[v[0] - 1].lower_ == "to")]


def pair_triggers(sent: Sentence) -> list[Trigger]:
    """Claims made of two halves: verb + condition, verb + target, agent + harm."""
    cond, sym = sent.get("condition"), sent.get("symptom")
    verbs, nouns = sent.get("treat_verb"), sent.get("treat_noun")
    triggers = _pairs(sent, verbs, cond, TREAT_WINDOW, "disease_treatment")
    triggers += _pairs(sent, _nominal(sent, verbs), cond, REVERSE_WINDOW, "disease_treatment", reverse=True)
    triggers += _pairs(sent, verbs, sym, TREAT_WINDOW, "biological_effect")
    triggers += _pairs(sent, sent.get("bio_verb"), sent.get("bio_target"), BIO_WINDOW, "biological_effect")
    triggers += _pairs(sent, sent.get("change_verb"), sent.get("bio_target"), CHANGE_WINDOW, "biological_effect", reverse=True)
    triggers += _pairs(sent, nouns, cond, REVERSE_WINDOW, "disease_treatment", strong=False)
    triggers += _pairs(sent, nouns, cond, REVERSE_WINDOW, "disease_treatment", strong=False, reverse=True)
    triggers += _pairs(sent, cond, sent.get("recovery"), RECOVERY_WINDOW, "disease_treatment")
    agents, harms = sent.get("scare_agent"), sent.get("harm")
    triggers += _pairs(sent, agents, harms, SCARE_WINDOW, "safety")
    triggers += _pairs(sent, agents, harms, SCARE_WINDOW, "safety", reverse=True)
    return triggers


def _negation_cues(sent: Sentence) -> list[int]:
    pseudo = sent.get("pseudo_negation")
    return [
        s for s, e, _ in sent.get("negation") if not any(s < pe and ps < e for ps, pe, _ in pseudo)
    ]


def blocked(sent: Sentence, trigger_start: int, trigger_end: int, negations: list[int]) -> str | None:
    """Why a trigger does not count (negated, inside a caution), or None."""
    for cue in negations:
        if cue < trigger_start and trigger_start - cue <= NEGATION_REACH:
            if sent.clause(cue) == sent.clause(trigger_start):
                return "negated"
    for cs, ce, rule in sent.get("caution"):
        inside = cs <= trigger_start < ce or trigger_start <= cs < trigger_end
        if inside or (cs < trigger_start and sent.clause(cs) == sent.clause(trigger_start)):
            return f"cautionary wording ({rule.id})"
    return None


def own_triggers(matches: list) -> list[Trigger]:
    """Single-rule claims; a weak reading ("with anti-inflammatory effects") overrides the
    strong rule matching inside it."""
    weak = [(s, e, r.category) for s, e, r in matches if r.weak]
    return [
        Trigger(s, e, r.category, (r,), not r.weak)
        for s, e, r in matches
        if r.weak or not any(ws <= s and e <= we and c == r.category for ws, we, c in weak)
    ]


def collect_triggers(sent: Sentence) -> tuple[list[Trigger], list[str]]:
    """Every claim trigger that counts, and reasons for the ones dropped."""
    triggers = own_triggers(sent.get("claim"))
    triggers += pair_triggers(sent)
    triggers += [Trigger(s, e, "authority_or_proof", (r,)) for s, e, r in sent.get("authority")]
    negations = _negation_cues(sent)
    kept, dropped = [], []
    for trig in triggers:
        why = blocked(sent, trig.start, trig.end, negations)
        if why:
            dropped.append(f"ignored '{sent.text(trig.start, trig.end)}': {why}")
        else:
            kept.append(trig)
    body = [t for t in kept if t.start >= sent.body_start] or kept
    if sent.get("condition"):
        for trig in body:
            shift = next((r.with_condition for r in trig.rules if r.with_condition), "")
            trig.category = shift or trig.category
    return body, dropped


def absolute_trigger(sent: Sentence, triggers: list[Trigger]) -> Trigger | None:
    """An intensifier (instantly, guaranteed, within 4 weeks) attached to a claim or a result."""
    effects = [t for t in triggers if t.category != "authority_or_proof"]
    negations = _negation_cues(sent)
    for s, e, rule in sent.get("intensifier"):
        if blocked(sent, s, e, negations) or (rule.not_in_reports and sent.get("report")):
            continue
        # "a 30-day money-back guarantee" is a refund term; "guaranteed results in 2 weeks,
        # or your money back" and "clear skin in 7 days or your money back" promise results
        promised = effects or sent.get("result_noun") or (rule.standalone and not sent.get("procedural"))
        if promised:
            return Trigger(s, e, "absolute_or_guarantee", (rule,))
    return None


def governs(sent: Sentence, hedge, trig: Trigger) -> bool:
    hs, he, rule = hedge
    if rule.scope == "sentence" or (trig.start <= hs and he <= trig.end):
        return True
    if sent.clause(hs) != sent.clause(trig.start):
        return False
    if trig.category == "authority_or_proof":
        return True  # "studies suggest", "some trials suggest … may": the evidential verb hedges
    if rule.scope == "forward":
        return hs <= trig.start
    return hs >= trig.start


def governing_hedge(sent: Sentence, triggers: list[Trigger]):
    """The hedge that qualifies the main claim: every effect trigger must be in some scope."""
    effects = [t for t in triggers if t.category != "authority_or_proof"] or triggers
    strong = [t for t in effects if t.strong]
    if not strong:
        # only attributes ("with anti-inflammatory effects"): the sentence's hedge governs them
        return sent.hedges[0] if sent.hedges else None
    effects = strong
    used = None
    for trig in effects:
        hedge = next((h for h in sent.hedges if governs(sent, h, trig)), None)
        if hedge is None:
            return None
        used = used or hedge
    return used


# cues, not sources: "she says" (words of the person named before), "participants", "had"
# (results of the study named before)
CUES = {"attribution", "report"}


KIND_ORDER = ("study", "link", "reference", "person", "institution", "study_ref")


def sentence_sources(sent: Sentence) -> tuple[list, set]:
    """Identifiable sources in the sentence, and which cues (attribution, report) it holds.

    Touching source matches are merged, so "2015 study" + "published in SKINmed Journal" is
    reported as one source, with the strongest kind among its parts.
    """
    vague = [(s, e) for s, e, r in sent.sources if r.kind == "vague_source"]
    cues, parts = set(), []
    for s, e, rule in sent.sources:
        if rule.kind != "source" or any(vs <= s < ve for vs, ve in vague):
            continue
        if rule.source_kind in CUES:
            cues.add(rule.source_kind)
        else:
            parts.append((s, e, rule))
    merged: list[list] = []
    for s, e, rule in sorted(parts, key=lambda m: (m[0], -m[1])):
        if merged and s <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], e)
            merged[-1][2].append(rule)
        else:
            merged.append([s, e, [rule]])
    found = []
    for s, e, rules in merged:
        best = min(rules, key=lambda r: KIND_ORDER.index(r.source_kind) if r.source_kind in KIND_ORDER else 99)
        found.append((best.source_kind, best.id, sent.text(s, e)))
    return found, cues


def pick_support(own: list, cues: set, context: list):
    """The source backing this sentence: its own, or one named earlier in the paragraph.

    A study named earlier backs a sentence that reports results or follows an "according to
    the study" report; an author-voice claim after it is not backed (guideline: extrapolation).
    A person or institution named earlier backs only words attributed to them ("she says").
    """
    if own:
        return own[0]
    reporting = "report" in cues or any(kind == "study_ref" for kind, _, _ in context[-1:])
    for kind, rule_id, text in reversed(context):
        if (reporting and kind in PROPAGATING) or ("attribution" in cues and kind in NEEDS_ATTRIBUTION):
            return kind, rule_id, text
    return None


def choose(triggers: list[Trigger], order: tuple) -> Trigger:
    """The trigger that decides the category: strong before weak, then by precedence."""
    strong = [t for t in triggers if t.strong] or triggers
    for category in order:
        for trig in strong:
            if trig.category == category:
                return trig
    return strong[0]


QUESTION_WORDS = {"what", "how", "why", "when", "which", "who", "does", "do", "can", "is", "are", "should", "will", "could"}


def is_question(sent: Sentence) -> bool:
    """A question, or a heading phrased as one ("What the research says")."""
    doc = sent.doc
    last = doc[sent.end - 1].text
    if last == "?":
        return True
    short = sent.end - sent.start <= HEADING_MAX
    return short and doc[sent.start].lower_ in QUESTION_WORDS and last not in {".", "!", "…", ":"}


SENTENCE_END = {".", "!", "?", "…", ":", '"', "”", "'", "’"}


def is_heading(sent: Sentence) -> bool:
    """A line without closing punctuation (a title or heading)."""
    return sent.doc[sent.end - 1].text not in SENTENCE_END


def is_bibliography(sent: Sentence) -> bool:
    """A reference-list entry: "[1] Jimenez JJ, … Efficacy and safety of …"."""
    doc = sent.doc
    return sent.end - sent.start > 3 and doc[sent.start].text == "[" and doc[sent.start + 2].text == "]"


def no_claim(reasons: list[str]) -> Verdict:
    return Verdict(label=NO_CLAIM, category="none", reasons=reasons, suggestion="")


def judge(sent: Sentence, context: list) -> Verdict:
    """Label, category and explanation for one sentence."""
    triggers, dropped = collect_triggers(sent)
    absolute = absolute_trigger(sent, triggers)
    if absolute:
        triggers.append(absolute)
    if not triggers:
        cosmetic = ["cosmetic wording only"] if sent.get("cosmetic") else []
        return no_claim(dropped + cosmetic or ["no health, safety or efficacy claim found"])
    if is_question(sent):
        return no_claim(["a question or question heading, not an assertion"])
    if is_bibliography(sent):
        return no_claim(["a bibliography entry"])
    if not any(t.strong for t in triggers) and is_heading(sent):
        return no_claim(["a heading with only a passing mention ('… That Actually Works')"])
    own, cues = sentence_sources(sent)
    support = pick_support(own, cues, context)
    hedge = None if support else governing_hedge(sent, triggers)
    verdict = build_verdict(sent, triggers, hedge, support, dropped)
    if support and not own and verdict.category == "biological_effect" and context_names_condition(context):
        # a result of a study on a named condition ("regrowth started after two weeks" in a
        # write-up of an alopecia trial) is a claim about treating that condition
        verdict.category = "disease_treatment"
        verdict.reasons.append("the study named earlier is about a named condition")
    return verdict


def context_names_condition(context: list) -> bool:
    return any(kind == "condition" for kind, _, _ in context)


def condition_notes(sent: Sentence) -> list:
    """Context entries for the conditions a sentence names (see ``judge``)."""
    return [("condition", r.id, sent.text(s, e)) for s, e, r in sent.get("condition")]


def build_verdict(sent, triggers, hedge, support, dropped) -> Verdict:
    authority = [t for t in triggers if t.category == "authority_or_proof"]
    effects = [t for t in triggers if t.category != "authority_or_proof"]
    if support or hedge:
        label = SUPPORTED
        # a supported claim takes the category of the effect, not of its time frame
        effects = [t for t in effects if t.category != "absolute_or_guarantee"] or effects
        main = choose(effects, EFFECT_PRECEDENCE) if effects else authority[0]
    else:
        label = UNSUPPORTED
        main = authority[0] if authority else choose(effects, PRECEDENCE)
    rule_ids = [r.id for t in triggers for r in t.rules]
    verdict = Verdict(label=label, category=main.category, trigger=sent.text(main.start, main.end))
    verdict.rule_ids = list(dict.fromkeys(rule_ids))
    explain(verdict, sent, main, hedge, support, dropped)
    return verdict


def explain(verdict: Verdict, sent: Sentence, main: Trigger, hedge, support, dropped) -> None:
    rule = main.rules[0]
    verdict.reasons = [f"{main.category} claim: '{verdict.trigger}' ({rule.why})"] + dropped
    if support:
        kind, rule_id, text = support
        verdict.source = text
        verdict.rule_ids.append(rule_id)
        verdict.reasons.append(f"backed by a {kind} source: '{text}'")
        verdict.suggestion = f"Check that '{text}' backs this exact claim (same product, condition and people)."
    elif hedge:
        verdict.hedge = sent.text(hedge[0], hedge[1])
        verdict.rule_ids.append(hedge[2].id)
        verdict.reasons.append(f"hedged: '{verdict.hedge}' governs the main claim")
        verdict.suggestion = (
            "Hedged but not substantiated: regulators still read a hedged drug claim as a drug "
            f"claim. {rule.suggestion}"
        )
    else:
        verdict.reasons.append("no hedge on the main claim and no identifiable source")
        verdict.suggestion = rule.suggestion


def _slice(matches: list, pos: int, start: int, end: int) -> tuple[list, int]:
    """Matches starting in [start, end) from a start-sorted list, and the next position."""
    while pos < len(matches) and matches[pos][0] < start:
        pos += 1
    stop = pos
    while stop < len(matches) and matches[stop][0] < end:
        stop += 1
    return [m for m in matches[pos:stop] if m[1] <= end], stop


ALONE = {"claim", "authority", "intensifier"}
PAIRS = (
    ("treat_verb", "condition"),
    ("treat_verb", "symptom"),
    ("treat_noun", "condition"),
    ("bio_verb", "bio_target"),
    ("change_verb", "bio_target"),
    ("condition", "recovery"),
    ("scare_agent", "harm"),
)


def may_claim(claims: list) -> bool:
    """Cheap first look: can these matches make any trigger at all?"""
    kinds = {m[2].kind for m in claims}
    return bool(kinds & ALONE) or any(a in kinds and b in kinds for a, b in PAIRS)


# What judge() needs before it can return a claim: a claim or authority match, both halves of a
# pair from one group (see _pairs), or an intensifier that promises a result (with a result noun,
# or a standalone one; see absolute_trigger). Stricter than may_claim, which also lets a lone
# intensifier through so that the verdict can say why it does not count; find_claims skips the
# sentences that have none of these.
STANDALONE_INTENSIFIER = "standalone_intensifier"
CLAIM_ALONE = ("claim", "authority", STANDALONE_INTENSIFIER)
PROMISE = ("intensifier", "result_noun")
CLAIM_KINDS = set(CLAIM_ALONE) | set(PROMISE) | {kind for pair in PAIRS for kind in pair}


def claim_role(rule) -> tuple[str, str]:
    """What a match of the rule brings to judge(): its kind (a standalone intensifier told
    apart, as it promises a result alone) and the group a pair's halves must share."""
    kind = STANDALONE_INTENSIFIER if rule.kind == "intensifier" and rule.standalone else rule.kind
    return kind, rule.group


def can_claim(roles: set) -> bool:
    """Whether matches bringing these (kind, group) roles can make judge() return a claim."""
    kinds = {kind for kind, _ in roles}
    if any(kind in kinds for kind in CLAIM_ALONE) or all(kind in kinds for kind in PROMISE):
        return True
    groups = {group for _, group in roles}
    return any((head, g) in roles and (tail, g) in roles for head, tail in PAIRS for g in groups)


NOTHING = ["no health, safety or efficacy claim found"]


def judge_doc(doc: Doc) -> list:
    """Judge every sentence; returns the spans of claims, each with ``span._.verdict``."""
    claims_m, hedges_m, sources_m = (
        doc._.claim_matches or [],
        doc._.hedge_matches or [],
        doc._.source_matches or [],
    )
    bounds = doc._.sent_bounds or []
    if not claims_m and not sources_m:
        # nothing matched (find_claims skips the matchers where no claim can come out)
        doc._.verdicts = [(start, end, no_claim(list(NOTHING))) for start, end, _ in bounds]
        return []
    context = list(doc._.context_sources or [])
    spans, verdicts, pc, ph, ps = [], [], 0, 0, 0
    layout = None  # colon positions and character offsets, read once a sentence needs them
    for start, end, opens in bounds:
        if opens and start > 0:
            context = []
        # a run-on "sentence" (pasted lists, broken markup) is judged on its first part only
        cut = min(end, start + MAX_SENTENCE_TOKENS)
        claims, pc = _slice(claims_m, pc, start, cut)
        hedges, ph = _slice(hedges_m, ph, start, cut)
        sources, ps = _slice(sources_m, ps, start, cut)
        sent = None
        if claims or sources:
            layout = layout or (colon_positions(doc), char_offsets(doc))
            sent = Sentence(doc, start, end, claims, hedges, sources, *layout)
        verdict = judge(sent, context) if claims and may_claim(claims) else no_claim(list(NOTHING))
        verdicts.append((start, end, verdict))
        if verdict.label != NO_CLAIM:
            spans.append(doc[start:end])
        if sources:
            context.extend(sentence_sources(sent)[0])
        if sent is not None:
            context.extend(condition_notes(sent))
    doc._.verdicts = verdicts
    for span, verdict in zip(spans, (v for _, _, v in verdicts if v.label != NO_CLAIM)):
        span._.verdict = verdict
    return spans
