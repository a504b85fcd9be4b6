"""What service users said, summed up for the lead (DESIGN section 12): pure functions of plain values, so the
counting is tested without a database. views.py reads the rows and hands them over as `Response`s.

Per group (a setting, or a kind of visit): how many answered, and per question the spread of answers over the
five-point scale, the median and how many would rather not say; in which languages, and whether the Welsh active
offer was made. Comments and languages travel only in the lead's summary; the link officer's is counts per
setting and nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median
from typing import Iterable, Optional, Sequence

SCALE = (1, 2, 3, 4, 5)
DECLINED = "declined"


@dataclass(frozen=True)
class Response:
    """One questionnaire as the summaries need it."""

    location_id: Optional[int]
    location_name: str
    visit_kind: str
    answers: dict
    comment: str = ""
    language: str = ""                   # the language answered in (a code of views.LANGUAGES)
    active_offer: Optional[bool] = None  # the Welsh active offer made (None: not recorded)


@dataclass(frozen=True)
class QuestionSummary:
    code: str
    distribution: dict[int, int]   # 1..5 -> how many chose it
    declined: int
    median: Optional[float]        # None when nobody gave a score

    @property
    def scored(self) -> int:
        return sum(self.distribution.values())


@dataclass
class GroupSummary:
    key: object                    # a location id, or a visit kind
    label: str
    count: int = 0
    questions: list[QuestionSummary] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    # Issue 13, for the lead: how many answered in each language (most first), and whether the Welsh active offer
    # was made ("yes", "no", "not_recorded" -> how many).
    languages: list[tuple[str, int]] = field(default_factory=list)
    offers: dict[str, int] = field(default_factory=dict)


def summarise_question(code: str, answers: Iterable[dict]) -> QuestionSummary:
    distribution = {score: 0 for score in SCALE}
    declined = 0
    for answer in answers:
        value = answer.get(code)
        if value == DECLINED:
            declined += 1
        elif value in distribution:
            distribution[value] += 1
    scores = [score for score in SCALE for _ in range(distribution[score])]
    return QuestionSummary(code, distribution, declined, median(scores) if scores else None)


def count_languages(responses: Iterable[Response]) -> list[tuple[str, int]]:
    """How many answered in each language, the most used first (ties in code order)."""
    counts: dict[str, int] = {}
    for response in responses:
        counts[response.language] = counts.get(response.language, 0) + 1
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def count_offers(responses: Iterable[Response]) -> dict[str, int]:
    """Whether the Welsh active offer was made: {"yes": n, "no": n, "not_recorded": n}."""
    counts = {"yes": 0, "no": 0, "not_recorded": 0}
    for response in responses:
        counts["not_recorded" if response.active_offer is None else "yes" if response.active_offer else "no"] += 1
    return counts


def _groups(responses: Sequence[Response], key, label) -> dict:
    groups: dict = {}
    for response in responses:
        groups.setdefault(key(response), (label(response), []))[1].append(response)
    return groups


def summarise(responses: Sequence[Response], codes: Sequence[str], by: str = "setting",
              with_comments: bool = True) -> list[GroupSummary]:
    """One summary per setting (`by="setting"`) or per kind of visit (`by="kind"`), in name order. `codes`: the
    questions to report, in the order asked (a retired question's answers are reported too if its code is given)."""
    if by == "setting":
        groups = _groups(responses, lambda r: r.location_id, lambda r: r.location_name)
    else:
        groups = _groups(responses, lambda r: r.visit_kind, lambda r: r.visit_kind)
    summaries = []
    for key, (label, members) in groups.items():
        answers = [member.answers for member in members]
        summaries.append(GroupSummary(
            key, label, len(members), [summarise_question(code, answers) for code in codes],
            [member.comment for member in members if member.comment.strip()] if with_comments else [],
            count_languages(members) if with_comments else [], count_offers(members) if with_comments else {}))
    return sorted(summaries, key=lambda summary: (str(summary.label).lower(), str(summary.key)))


def counts_per_setting(responses: Sequence[Response]) -> list[tuple[str, int]]:
    """The link officer's view: how many people answered at each setting, and nothing else."""
    return [(summary.label, summary.count)
            for summary in summarise(responses, (), by="setting", with_comments=False)]
