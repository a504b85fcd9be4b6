"""Findings never name a service user's home: a coordinator reads them, and "Home of Mrs A. Jones" is who
someone is (DESIGN section 2). The home is called what it is, with the case reference when the visit has one."""
from __future__ import annotations

from visits import programme_rules as rules
from visits.programme_rules import PLocation, Thresholds

from ..support.snapshots import COUNTY_HALL, LOCATIONS, case, programme, visit

HOME = 20
WITH_A_HOME = (*LOCATIONS, PLocation(HOME, "Home of Mrs A. Jones", "home"))


def test_a_reviewer_going_back_and_forth_to_a_home_is_told_without_the_service_users_name():
    the_programme = programme(visit("home_visit", start="09:30", place=HOME),
                              visit(start="11:00", place=COUNTY_HALL),
                              visit("home_visit", start="14:00", place=HOME),
                              locations=WITH_A_HOME)

    [finding] = rules.back_and_forth(the_programme, Thresholds())

    assert "Jones" not in finding.message + finding.suggestion
    assert "leaves a service user's home and comes back" in finding.message


def test_too_little_travel_time_to_a_home_names_the_case_of_the_visit_there():
    the_programme = programme(visit(start="10:00", place=COUNTY_HALL),
                              visit("home_visit", start="11:05", place=HOME, case=7),
                              cases=[case(7, "AD-014")], locations=WITH_A_HOME)

    [finding] = rules.travel_time(the_programme, Thresholds())

    assert "Jones" not in finding.message + finding.suggestion
    assert "at County Hall and" in finding.message and "at the home of case AD-014 on" in finding.message
