"""The lead's feedback summaries, counted without a database (visits/feedback/summaries.py)."""
from __future__ import annotations

from visits.feedback.summaries import Response, counts_per_setting, summarise, summarise_question

CODES = ("respect", "overall")


def said(place_id, place, kind="setting_visit", comment="", **answers):
    return Response(place_id, place, kind, answers, comment)


def test_a_question_spreads_its_answers_over_the_scale_and_counts_who_declined():
    result = summarise_question("respect", [{"respect": 5}, {"respect": 2}, {"respect": "declined"},
                                            {"overall": 3}, {"respect": 5}])
    assert result.distribution == {1: 0, 2: 1, 3: 0, 4: 0, 5: 2}
    assert result.declined == 1 and result.scored == 3 and result.median == 5


def test_the_median_of_an_even_number_of_scores_is_halfway_and_none_without_scores():
    assert summarise_question("respect", [{"respect": 3}, {"respect": 4}]).median == 3.5
    nobody = summarise_question("respect", [{"respect": "declined"}, {}])
    assert nobody.median is None and nobody.declined == 1


def test_summaries_per_setting_keep_each_places_comments_apart():
    responses = [said(1, "Maes Day Centre", comment="Too noisy", respect=4),
                 said(2, "Ty Gwyn", comment="  ", respect=1),
                 said(1, "Maes Day Centre", respect="declined", overall=5)]
    maes, ty_gwyn = summarise(responses, CODES, by="setting")
    assert (maes.label, maes.count, maes.comments) == ("Maes Day Centre", 2, ["Too noisy"])
    assert maes.questions[0].declined == 1 and maes.questions[1].median == 5
    assert (ty_gwyn.count, ty_gwyn.comments) == (1, [])  # a blank comment is no comment


def test_summaries_per_kind_of_visit_and_without_comments():
    responses = [said(1, "A", "home_visit", "Kind staff", respect=5), said(2, "B", "setting_visit", respect=3),
                 said(3, "C", "home_visit", overall=2)]
    by_kind = {group.key: group for group in summarise(responses, CODES, by="kind", with_comments=False)}
    assert by_kind["home_visit"].count == 2 and by_kind["setting_visit"].count == 1
    assert by_kind["home_visit"].comments == []


def test_the_link_officers_counts_carry_nothing_but_place_and_number():
    responses = [said(1, "Maes", comment="secret", respect=1), said(1, "Maes"), said(2, "Arfryn", respect=5)]
    assert counts_per_setting(responses) == [("Arfryn", 1), ("Maes", 2)]


def test_no_answers_no_groups():
    assert summarise([], CODES) == [] and counts_per_setting([]) == []
