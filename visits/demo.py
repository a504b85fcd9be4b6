"""The demo review that `flask seed-demo` loads (DESIGN section 8): a fictional council's on-site week.

Review 1 is "Cwm Taf Valleys County Borough Council" (invented) in its fieldwork week, with the team the guide
describes: a lead reviewer, two reviewers, a lay assessor, a link officer and her administrative assistant,
and the inspectorate's coordinator. Review 2 (Bro Teifi County Council, also invented) is five weeks away and
shares one reviewer with review 1, so "a reviewer on two reviews" can be shown.

The programme is written in on-site days 0..4 rather than dates, so it fits whatever day the demo is loaded:
day 0 is the Monday of this week, or, at a weekend, the day before yesterday (so today is always a working day
of the demo). Visits on days before today are completed, with realistic attendance; today's and tomorrow's
are confirmed; later ones planned.

The offices are seen one per day, as the guide asks: day 1 the Civic Centre, day 2 Pontygarreg, day 3
Cwmderwen. Days 0 and 4 hold stakeholder meetings and the interviews held at the review base.

A few things are wrong on purpose, so the programme checker (visits/programme_rules.py) has something to show;
each is marked "INTENDED" where it is made, and listed in INTENDED_FINDINGS. Everything else is meant to pass
the checker cleanly (tests/unit/test_demo_seed.py holds it to that).

Names, addresses and numbers are invented: phone numbers are in Ofcom's ranges kept for drama (07700 900xxx,
01632 960xxx); postcodes use sectors that are not issued.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from itertools import combinations, count
from typing import Iterable, Optional
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from .auth.passwords import hash_password
from .case_status import CaseVisit, derive_case_status
from .models import (
    AgendaSegment,
    Attendance,
    AttendanceStatus,
    Case,
    CaseStatus,
    CheckIn,
    Feedback,
    FeedbackAction,
    Location,
    LocationKind,
    Membership,
    NeedFlag,
    NeedStatus,
    NeedType,
    Participant,
    ParticipantKind,
    Review,
    ReviewPhase,
    ReviewStatus,
    Role,
    SupportedBy,
    TravelTime,
    User,
    Visit,
    VisitKind,
    VisitStatus,
)

# The rule ids (DESIGN section 4) the demo breaks on purpose.
INTENDED_FINDINGS: list[str] = [
    "interviews_per_day",   # reviewer@demo.test has five interviews on the Civic Centre day (day 1)
    "back_and_forth",       # reviewer2@demo.test: Civic Centre -> Pontygarreg -> Civic Centre on day 1
    "team_leader_order",    # the learning disability team leader is seen before one of his social workers
    "early_start",          # the emergency duty team manager at 08:30, as her night shift ends (day 4)
    "meeting_pairs",        # the voluntary sector meeting has only one reviewer (day 1)
    "group_size",           # only 6 parent carers expected at their group meeting (day 4)
    "home_visit_length",    # one home visit agreed at 40 minutes (day 4)
    "unarranged_need",      # the need on the next home visit within 48 hours is still only requested
    # The programme check's second pass (issue 10):
    "stakeholder_meeting_cap",  # five stakeholder meetings and the service user and carer reference group: six
    "long_day",             # reviewer@demo.test on day 4: six sessions from 08:30 to 19:30
]

TIME_ZONE = "Europe/London"
ON_SITE_DAYS = 5
INTERVIEW_MINUTES = 60

# The guide's plan for visiting a team or a service setting: 15 + 45 + 45 + 45 minutes.
TEAM_VISIT_PLAN = (
    ("Short meeting with the manager and a tour of the premises", 15),
    ("A look at processes", 45),
    ("Meeting with staff (without the manager)", 45),
    ("Meeting with the manager", 45),
)
# The same shape for the lay assessor, whose focus is the experience offered to the public.
SETTING_VISIT_PLAN = (
    ("Short meeting with the manager and a tour", 15),
    ("Reception, welcome and information for the public", 45),
    ("Talking with people using the service and staff (without the manager)", 45),
    ("Meeting with the manager", 45),
)


# --- accounts ----------------------------------------------------------------------------------------------
# key, email, name
ACCOUNTS = (
    ("lead", "lead@demo.test", "Helen Carter"),
    ("reviewer", "reviewer@demo.test", "Tom Ashworth"),
    ("reviewer2", "reviewer2@demo.test", "Priya Nair"),
    ("lay", "lay@demo.test", "Glenys Owen"),
    ("link", "link@demo.test", "Rhodri Bowen"),
    ("link_admin", "link-admin@demo.test", "Ffion Jones"),  # the link officer's administrative assistant
    ("coordinator", "coordinator@demo.test", "Sarah Mitchell"),
    ("lead2", "lead2@demo.test", "Alan Brooks"),
    ("link2", "link2@demo.test", "Bethan Lloyd"),
    ("admin", "admin@demo.test", "Gareth Hughes"),  # a site administrator: the inspectorate's review support
)
REVIEW_1_ROLES = (
    ("lead", Role.lead_reviewer),
    ("reviewer", Role.reviewer),
    ("reviewer2", Role.reviewer),
    ("lay", Role.lay_assessor),
    ("link", Role.link_officer),
    ("link_admin", Role.link_officer),
    ("coordinator", Role.coordinator),
)
REVIEW_2_ROLES = (
    ("lead2", Role.lead_reviewer),
    ("reviewer", Role.reviewer),  # the one person on both reviews
    ("link2", Role.link_officer),
)


# --- review 1: places --------------------------------------------------------------------------------------
# key, name, kind, area, address, parking notes, access notes, parking minutes
LOCATIONS_1 = (
    ("civic", "Aberwen Civic Centre", LocationKind.council_office, "Aberwen",
     "Heol y Cyngor, Aberwen CF45 9ZA",
     "Visitor car park behind the building; six bays kept for the review team (pass on the dashboard).",
     "Sign in at main reception. Interview rooms 1-3 are on the first floor; entry code: ask at reception.", 5),
    ("pontygarreg", "Pontygarreg Area Office", LocationKind.council_office, "Pontygarreg",
     "Uned 4, Stryd y Bont, Pontygarreg CF46 9ZB",
     "No parking on site. Pay-and-display at Maes y Dref, five minutes' walk: allow extra time.",
     "Press the intercom at the side door. Staff door code: ask at reception.", 10),
    ("cwmderwen", "Cwmderwen Children's Services Office", LocationKind.council_office, "Cwmderwen",
     "Tŷ Derwen, Ffordd yr Orsaf, Cwmderwen CF47 9ZC",
     "Free car park at the rear; visitors use bays 10-14.",
     "Reception opens at 08:45. Meeting room 2 is booked for the review team; lift available.", 0),
    ("base", "Review base, Tŷ Dysgu", LocationKind.other, "Aberwen",
     "Tŷ Dysgu training centre, Parc Busnes Aberwen CF45 9ZD",
     "Free parking at the front.",
     "Room 2.14 is the review base: key from reception. Case files in the locked cabinet; confidential post box "
     "by the door. Interview room 2.16 next door.", 0),
    ("contact_centre", "Cyswllt Contact Centre", LocationKind.contact_centre, "Aberwen",
     "Unit 12, Arcêd y Farchnad, Aberwen CF45 9ZE",
     "Town-centre pay-and-display only.",
     "Public entrance in the arcade; ask for the duty supervisor. Staff area door code: ask the supervisor.", 10),
    ("derwen_day", "Canolfan Derwen Day Centre", LocationKind.day_facility, "Aberwen",
     "Lôn yr Ysgol, Aberwen CF45 9ZF",
     "Small car park; keep the ambulance bays clear before 10:00 and after 15:00.",
     "Ring the bell and sign the visitors' book. The kitchen is being refurbished: lunches are brought in.", 0),
    ("bryn_haul", "Bryn Haul Residential Home", LocationKind.residential_setting, "Aberwen",
     "Ffordd Bryn Haul, Aberwen CF45 9ZG",
     "Visitors' parking at the front.",
     "Keypad entry: ask at reception (the code changes weekly). Protected mealtime 12:00-13:00.", 0),
    ("llwybr", "Llwybr Newydd Resource Centre", LocationKind.day_facility, "Pontygarreg",
     "Heol y Gamlas, Pontygarreg CF46 9ZH",
     "Car park shared with the leisure centre.",
     "Main entrance has automatic doors; sign in at the office on the left.", 0),
    ("hafan", "Hafan Mental Health Drop-in", LocationKind.day_facility, "Pontygarreg",
     "First floor, 3 Sgwâr y Farchnad, Pontygarreg CF46 9ZJ",
     "Use the library car park opposite (pay-and-display).",
     "Open 10:00-16:00. Stairs only: the lift is out of order, ask about arrangements for anyone who needs it.", 5),
    ("tyr_afon", "Tŷ'r Afon Short Breaks Unit", LocationKind.residential_setting, "Cwmderwen",
     "Lôn yr Afon, Cwmderwen CF47 9ZK",
     "Two visitor spaces by the gate.",
     "Children stay here for short breaks: visitors are accompanied at all times. Entry code: ask at the office.",
     0),
    ("hall", "Cwmderwen Community Hall", LocationKind.other, "Cwmderwen",
     "Stryd y Capel, Cwmderwen CF47 9ZL",
     "Free car park.",
     "Ramp at the side entrance; hearing loop in the main hall. The caretaker opens up at 13:30.", 0),
)

# Minutes by road between the towns; within a town, ten minutes.
TRAVEL_MINUTES = {
    frozenset({"Aberwen"}): 10,
    frozenset({"Pontygarreg"}): 10,
    frozenset({"Cwmderwen"}): 10,
    frozenset({"Aberwen", "Pontygarreg"}): 20,
    frozenset({"Aberwen", "Cwmderwen"}): 25,
    frozenset({"Pontygarreg", "Cwmderwen"}): 30,  # over the mountain road
}


# Homes with a known journey (the link officer entered them in the travel matrix; the others get the checker's
# default): case number and the area the home is in, timed like the places by TRAVEL_MINUTES.
HOME_TRAVEL_1 = (
    (1, "Aberwen"),
    (2, "Aberwen"),
    (6, "Pontygarreg"),
    (11, "Cwmderwen"),
)


# --- review 1: people --------------------------------------------------------------------------------------
# Council staff: key, name, job title, team, office (None: no office in the programme)
STAFF_1 = (
    ("director", "Gareth Pritchard", "Director of Social Services", "Directorate", "civic"),
    ("head_adults", "Siân Rowlands", "Head of Adult Services", "Directorate", "civic"),
    ("head_children", "Mark Llewellyn", "Head of Children's Services", "Directorate", "civic"),
    ("head_business", "Angharad Rees", "Head of Business Support and Performance", "Directorate", "civic"),
    ("duty_manager", "Karen Phillips", "Team Manager", "Duty and Assessment Team", "civic"),
    ("duty_social_worker", "Lee Harris", "Social Worker", "Duty and Assessment Team", "civic"),
    ("duty_assistant", "Jac Morgan", "Social Work Assistant", "Duty and Assessment Team", "civic"),
    ("tl_adults_east", "David Hughes", "Team Leader", "Adults East Team", "civic"),
    ("sw_carys", "Carys Lewis", "Social Worker", "Adults East Team", "civic"),
    ("sw_james", "James O'Brien", "Senior Social Worker", "Adults East Team", "civic"),
    ("sw_emma", "Emma Watkins", "Social Worker", "Adults East Team", "civic"),
    ("tl_learning_disability", "Huw Jenkins", "Team Leader", "Learning Disability Team", "civic"),
    ("sw_rachel", "Rachel Morris", "Social Worker", "Learning Disability Team", "civic"),
    ("sw_daniel", "Daniel Edwards", "Care Manager", "Learning Disability Team", "civic"),
    ("commissioning", "Julie Parry", "Principal Officer, Commissioning", "Commissioning and Contracts", "civic"),
    ("safeguarding", "Alun Griffiths", "Adult Safeguarding Manager", "Safeguarding Unit", "civic"),
    ("tl_older_people", "Rhian Morgan", "Team Leader", "Older People West Team", "pontygarreg"),
    ("sw_stephen", "Stephen Vaughan", "Social Worker", "Older People West Team", "pontygarreg"),
    ("sw_lowri", "Lowri Evans", "Social Worker", "Older People West Team", "pontygarreg"),
    ("sw_paul", "Paul Jarvis", "Senior Practitioner", "Older People West Team", "pontygarreg"),
    ("tl_mental_health", "Gwen Thomas", "Team Leader", "Community Mental Health Team", "pontygarreg"),
    ("sw_nadia", "Nadia Hussain", "Approved Mental Health Professional", "Community Mental Health Team",
     "pontygarreg"),
    ("sw_craig", "Craig Bennett", "Social Worker", "Community Mental Health Team", "pontygarreg"),
    ("reablement_manager", "Sharon Beynon", "Reablement Manager", "Reablement Team", "pontygarreg"),
    ("reablement_worker", "Dylan Rees", "Reablement Support Worker", "Reablement Team", "pontygarreg"),
    ("reablement_ot", "Mair Pugh", "Occupational Therapist", "Reablement Team", "pontygarreg"),
    ("tl_safeguarding_children", "Nia Powell", "Team Leader", "Children's Safeguarding Team", "cwmderwen"),
    ("sw_sophie", "Sophie Clarke", "Social Worker", "Children's Safeguarding Team", "cwmderwen"),
    ("sw_rhys", "Rhys Howells", "Social Worker", "Children's Safeguarding Team", "cwmderwen"),
    ("tl_looked_after", "Owain Price", "Team Leader", "Looked After Children Team", "cwmderwen"),
    ("sw_hannah", "Hannah Matthews", "Social Worker", "Looked After Children Team", "cwmderwen"),
    ("sw_kelly", "Kelly Ashton", "Personal Adviser (Leaving Care)", "Looked After Children Team", "cwmderwen"),
    ("fostering_manager", "Catrin Hopkin", "Fostering Team Manager", "Fostering Team", "cwmderwen"),
    ("fostering_social_worker", "Ben Hale", "Supervising Social Worker", "Fostering Team", "cwmderwen"),
    ("fostering_recruitment", "Tracey Lane", "Recruitment Officer", "Fostering Team", "cwmderwen"),
    # Managers of the settings the lay assessor visits work from those settings.
    ("contact_centre_manager", "Joanne Bevan", "Contact Centre Manager", "Customer Services", "contact_centre"),
    ("derwen_manager", "Margaret Probert", "Day Centre Manager", "Day Services", "derwen_day"),
    ("bryn_haul_manager", "Elaine Crocker", "Registered Manager", "Residential Services", "bryn_haul"),
    ("llwybr_manager", "Gethin Rowe", "Resource Centre Manager", "Learning Disability Services", "llwybr"),
    ("hafan_manager", "Kieran Doyle", "Project Coordinator", "Mental Health Services", "hafan"),
    ("tyr_afon_manager", "Sandra Whitfield", "Registered Manager", "Children's Residential Services", "tyr_afon"),
    # Other departments and services without an office in the programme: seen at the review base.
    ("housing_options", "Neil Thompson", "Housing Options Manager", "Housing Services", None),
    ("education_inclusion", "Louise Grant", "Inclusion Manager", "Education Directorate", None),
    ("workforce", "Delyth Harries", "Workforce Development Manager", "Social Care Workforce Development", None),
    ("emergency_duty", "Mandy Sullivan", "Emergency Duty Team Manager", "Emergency Duty Team", None),
    ("complaints", "Andrea Fox", "Complaints and Representations Officer", "Customer Care", None),
)

# Elected members and partner organisations: key, name, role, organisation
STAKEHOLDERS_1 = (
    ("cllr_hopkins", "Cllr Mervyn Hopkins", "Leader of the Council", "Cwm Taf Valleys CBC"),
    ("cllr_beddoe", "Cllr Eirlys Beddoe", "Cabinet Member for Social Care", "Cwm Taf Valleys CBC"),
    ("cllr_yates", "Cllr Peter Yates", "Chair, Social Care Scrutiny Committee", "Cwm Taf Valleys CBC"),
    ("cllr_begum", "Cllr Rashida Begum", "Vice-chair, Social Care Scrutiny Committee", "Cwm Taf Valleys CBC"),
    ("cvc_ashford", "Wendy Ashford", "Chief Officer", "Cwm Taf Valleys Association of Voluntary Organisations"),
    ("henoed_nolan", "Gary Nolan", "Development Worker", "Henoed Valleys Older People's Forum"),
    ("vmha_marsh", "Lisa Marsh", "Manager", "Valleys Mental Health Action"),
    ("uhb_tudor", "Dr Anwen Tudor", "Assistant Director of Community Services", "Valleys University Health Board"),
    ("police_marshall", "Chief Inspector Ian Marshall", "Partnership Lead", "Valleys Police Division"),
    ("cartrefi_rowntree", "Sue Rowntree", "Chief Executive", "Cartrefi Cwm Housing Association"),
    ("glan_ffrwd_kaye", "Peter Kaye", "Proprietor", "Glan Ffrwd Care Home"),
    ("homecare_shah", "Anita Shah", "Registered Manager", "Valleys Homecare Ltd"),
    ("cymorth_delaney", "Ross Delaney", "Service Manager", "Cymorth Supported Living"),
    ("carers_centre", "Ruth Chandler", "Manager", "Valleys Carers' Centre"),
    ("uhb_pell", "Dr Joanna Pell", "Head of Primary Care", "Valleys University Health Board"),
    ("direct_payments", "Marcus Rhys", "Direct Payments Support Manager", "Valleys Independent Living Centre"),
)

# Members of the two service user and carer groups: key, kind, name (least identity)
REFERENCE_GROUP = (
    ("ref_bevan", ParticipantKind.service_user, "Mr T. Bevan"),
    ("ref_lewis", ParticipantKind.carer, "Mrs J. Lewis"),
    ("ref_ahmed", ParticipantKind.service_user, "Ms R. Ahmed"),
    ("ref_powell", ParticipantKind.service_user, "Mr G. Powell"),
    ("ref_edwards", ParticipantKind.carer, "Mrs P. Edwards"),
    ("ref_walsh", ParticipantKind.service_user, "Mr K. Walsh"),
    ("ref_fisher", ParticipantKind.carer, "Ms D. Fisher"),
    ("ref_morgan", ParticipantKind.service_user, "Mrs E. Morgan"),
    ("ref_khan", ParticipantKind.carer, "Mr S. Khan"),
)
PARENT_CARERS = (
    ("parent_jones", ParticipantKind.carer, "Mrs L. Jones"),
    ("parent_price", ParticipantKind.carer, "Mr A. Price"),
    ("parent_thomas", ParticipantKind.carer, "Ms C. Thomas"),
    ("parent_richards", ParticipantKind.carer, "Mrs H. Richards"),
    ("parent_evans", ParticipantKind.carer, "Mr D. Evans"),
    ("parent_ali", ParticipantKind.carer, "Ms F. Ali"),
)

# The case-file sample: 15 cases so that about 12 are visited (the guide).
# number, service user (key, name), carer (key, name) or None, team leader, social workers, home address,
# access notes for the home, briefing
CASES_1 = (
    (1, ("su_williams", "Mr D. Williams"), ("carer_williams", "Mrs S. Williams"), "tl_adults_east", ("sw_carys",),
     "7 Heol y Parc, Aberwen CF45 9ZM", "Ring twice and wait: Mr Williams uses a walking frame.",
     "Mr Williams (82) had a stroke last year and has home care four times a day. His wife, his main carer, "
     "will join for part of the visit."),
    (2, ("su_jones", "Mrs A. Jones"), None, "tl_adults_east", ("sw_james",),
     "Flat 3, Llys Glas, Aberwen CF45 9ZN", "Entry phone: flat 3. Lift to the second floor.",
     "Mrs Jones (77) lives alone with a community alarm and goes to Canolfan Derwen twice a week. The lay "
     "assessor joins to follow her care pathway."),
    (3, ("su_roberts", "Mr E. Roberts"), None, "tl_adults_east", ("sw_james", "sw_emma"),
     "22 Stryd Fawr, Aberwen CF45 9ZP", "On-street parking outside the chapel.",
     "Mr Roberts (88) speaks Welsh at home and asked for the interview in Welsh. Evening, so his daughter can "
     "be there."),
    (4, ("su_nowak", "Mr P. Nowak"), ("carer_nowak", "Mrs B. Nowak"), "tl_learning_disability", ("sw_rachel",),
     "41 Maes y Ffynnon, Aberwen CF45 9ZQ", "Small dog: Mrs Nowak will keep it in the kitchen.",
     "Mr Nowak (24) has a learning disability and goes to Llwybr Newydd. He and his mother speak Polish at "
     "home; an interpreter is needed."),
    (5, ("su_francis", "Ms K. Francis"), None, "tl_learning_disability", ("sw_daniel",),
     "15 Cae Mawr, Aberwen CF45 9ZR", "Supported tenancy: the support worker will let you in.",
     "Ms Francis (31) lives in a supported tenancy. Her support worker asked for a short visit."),
    (6, ("su_gwilym", "Mrs M. Gwilym"), None, "tl_older_people", ("sw_stephen",),
     "2 Bwthyn y Felin, Pontygarreg CF46 9ZS", "Narrow lane: park by the chapel and walk 100 m.",
     "Mrs Gwilym (90) came home from hospital with reablement. Evening, so her son can be there."),
    (7, ("su_baker", "Mr W. Baker"), None, "tl_older_people", ("sw_lowri",),
     "58 Teras Bryn Glas, Pontygarreg CF46 9ZT", "Steep steps to the front door; no parking outside.",
     "Mr Baker (68) agreed to a visit after his day centre session."),
    (8, ("su_lloyd", "Mrs G. Lloyd"), None, "tl_older_people", ("sw_paul", "sw_stephen"),
     "9 Heol Newydd, Pontygarreg CF46 9ZU", "Key safe by the door if there is no answer: code from the link "
     "officer.",
     "Mrs Lloyd (84) has domiciliary care; her husband has dementia and a carer's assessment was done in "
     "the spring."),
    (9, ("su_walters", "Mr J. Walters"), None, "tl_mental_health", ("sw_nadia",),
     "Flat 11, Tŷ Gwenllian, Pontygarreg CF46 9ZW", "Buzzer 11. Visitors' spaces at the back.",
     "Mr Walters (45) is supported by the community mental health team. He works part-time, so an evening "
     "visit."),
    (10, ("su_kaur", "Ms S. Kaur"), None, "tl_mental_health", ("sw_craig",),
     "31 Rhodfa'r Afon, Pontygarreg CF46 9ZX", "On-street parking.",
     "Ms Kaur (29) was discharged from the acute ward six weeks ago."),
    (11, ("su_reynolds", "Ms T. Reynolds"), None, "tl_safeguarding_children", ("sw_sophie",),
     "6 Clos y Dderwen, Cwmderwen CF47 9ZY", "Parking in the close.",
     "Ms Reynolds (34) is a parent; the family has a child protection plan. Evening, after the children's "
     "bedtime."),
    (12, ("su_carr", "Ms N. Carr"), None, "tl_safeguarding_children", ("sw_rhys", "sw_sophie"),
     "18 Heol y Glowyr, Cwmderwen CF47 9ZZ", "",
     "Ms Carr is a parent receiving child in need support. The family has withdrawn its consent."),
    (13, ("su_harding", "Miss J. Harding"), ("carer_stone", "Mrs V. Stone"), "tl_looked_after", ("sw_hannah",),
     "Fferm Tŷ Isaf, Cwmderwen CF47 9YA", "Farm track: 5 minutes from the road; gate code from the foster carer.",
     "Miss Harding (16) lives with foster carers. Her advocate will attend; Mrs Stone, the foster carer, will "
     "be in the house but not in the interview."),
    (14, ("su_dunn", "Mr C. Dunn"), None, "tl_looked_after", ("sw_kelly",),
     "Flat 2, 40 Ffordd yr Orsaf, Cwmderwen CF47 9YB", "Flat above the bakery; entrance at the side.",
     "Mr Dunn (19) is a care leaver in his first tenancy, supported by a personal adviser."),
    (15, ("su_ford", "Miss A. Ford"), None, "tl_looked_after", ("sw_hannah", "sw_kelly"),
     "27 Maes y Glo, Cwmderwen CF47 9YD", "Parking on the drive is fine.",
     "Miss Ford (17) lives with her aunt in a kinship foster placement."),
)

# Needs: the person, type, detail, how it was arranged. One of them is left "requested" (see _leave_one_need_open).
NEEDS_1 = (
    ("su_roberts", NeedType.interpreting, "Welsh",
     "Welsh-speaking interpreter booked through the Welsh Language Unit (Elin Rowlands)."),
    ("su_nowak", NeedType.interpreting, "Polish (Mr Nowak and his mother)",
     "Valleys Interpreting Service: Polish interpreter booked, female interpreter as the family asked."),
    ("su_harding", NeedType.advocacy, "Independent advocate",
     "Advocate from Llais Ifanc Advocacy will attend."),
    ("ref_powell", NeedType.sensory, "Hearing loop", "The hall's loop was tested by the caretaker."),
    ("ref_ahmed", NeedType.personal_assistance, "Support worker to accompany her",
     "Her support worker from Cymorth Supported Living will come with her."),
)


# --- review 1: the programme -------------------------------------------------------------------------------
# Staff interviews, one hour each: day, start, reviewer, interviewee, where (None: their office, or the review
# base if they have none). Each member of staff is booked once (no repeat bookings), and each team leader after
# the social workers of their cases, but for the one INTENDED exception.
INTERVIEWS_1 = (
    # Day 0: other departments and organisations, at the review base.
    (0, "10:00", "reviewer2", "housing_options", None),
    (0, "11:15", "reviewer2", "education_inclusion", None),
    (0, "13:30", "lead", "carers_centre", "civic"),
    # Day 1: the Civic Centre.
    # INTENDED interviews_per_day: reviewer@demo.test has five interviews today.
    (1, "09:30", "reviewer", "sw_carys", None),
    (1, "10:45", "reviewer", "sw_james", None),
    (1, "12:00", "reviewer", "sw_rachel", None),
    (1, "14:00", "reviewer", "sw_emma", None),
    (1, "15:15", "reviewer", "tl_adults_east", None),
    # INTENDED team_leader_order: Huw Jenkins at 14:00, before Daniel Edwards (case 5) at 15:15.
    (1, "14:00", "lead", "tl_learning_disability", None),
    (1, "15:15", "lead", "safeguarding", None),
    (1, "14:00", "reviewer2", "commissioning", None),
    (1, "15:15", "reviewer2", "sw_daniel", None),
    # Day 2: Pontygarreg.
    (2, "09:30", "reviewer", "sw_stephen", None),
    (2, "10:45", "reviewer", "sw_lowri", None),
    (2, "12:00", "reviewer", "sw_paul", None),
    (2, "14:00", "reviewer", "tl_older_people", None),
    (2, "09:30", "reviewer2", "sw_nadia", None),
    (2, "10:45", "reviewer2", "sw_craig", None),
    (2, "12:00", "reviewer2", "tl_mental_health", None),
    # Day 3: Cwmderwen.
    (3, "09:30", "reviewer", "sw_sophie", None),
    (3, "10:45", "reviewer", "sw_rhys", None),
    (3, "12:00", "reviewer", "tl_safeguarding_children", None),
    (3, "09:30", "reviewer2", "sw_hannah", None),
    (3, "10:45", "reviewer2", "sw_kelly", None),
    (3, "12:00", "reviewer2", "tl_looked_after", None),
    # Day 4: the review base.
    # INTENDED early_start: the emergency duty team manager comes at the end of her night shift.
    (4, "08:30", "reviewer", "emergency_duty", None),
    (4, "11:45", "reviewer", "complaints", None),
    (4, "11:45", "lead", "workforce", None),
    (4, "10:00", "reviewer2", "uhb_pell", None),
    (4, "11:15", "reviewer2", "direct_payments", None),
)

# Group meetings and briefings: kind, day, start, minutes, title, where, team, participants, briefing
MEETINGS_1 = (
    (VisitKind.briefing, 0, "09:00", 45, "Opening briefing with the link officer", "base",
     ("lead", "reviewer", "reviewer2", "lay", "link"), (),
     "Welcome, passes and entry codes, programme changes since the draft, and lone working: text the link "
     "officer when you arrive at and leave a home visit."),
    (VisitKind.stakeholder_meeting, 0, "10:30", 90, "Senior elected members", "civic",
     ("lead", "reviewer"), ("cllr_hopkins", "cllr_beddoe", "cllr_yates", "cllr_begum"),
     "Members' view of the key issues for social services; the scrutiny committee's work programme."),
    (VisitKind.stakeholder_meeting, 1, "09:00", 90, "Social services management team", "civic",
     ("lead", "reviewer2"), ("director", "head_adults", "head_children", "head_business"),
     "Critical issues since the set-up meeting; budget position; the planned reconfiguration of day services."),
    # INTENDED meeting_pairs: only one reviewer; the voluntary sector meets at Pontygarreg, which also makes
    # INTENDED back_and_forth for reviewer2@demo.test (Civic Centre, Pontygarreg, Civic Centre).
    (VisitKind.stakeholder_meeting, 1, "11:15", 90, "Voluntary sector partners", "pontygarreg",
     ("reviewer2",), ("cvc_ashford", "henoed_nolan", "vmha_marsh"),
     "Agenda items sent in advance: commissioning of the voluntary sector, partnership working, carers."),
    (VisitKind.briefing, 2, "17:00", 30, "Lead reviewer and link officer: mid-week programme review", "base",
     ("lead", "link"), (),
     "Agree changes for the rest of the week; emerging themes for the informal feedback."),
    (VisitKind.user_group_meeting, 3, "14:00", 120, "Service user and carer reference group", "hall",
     ("lead", "reviewer", "lay"), tuple(key for key, _kind, _name in REFERENCE_GROUP),
     "The reference group's view of services; tea from 13:45. Hearing loop in use; one member comes with her "
     "support worker."),
    (VisitKind.stakeholder_meeting, 4, "10:00", 90, "Health and statutory partners", "base",
     ("lead", "reviewer"), ("uhb_tudor", "police_marshall", "cartrefi_rowntree"),
     "Joint working on hospital discharge, community safety and housing for vulnerable adults."),
    (VisitKind.stakeholder_meeting, 4, "13:30", 90, "Independent sector providers", "base",
     ("lead", "reviewer2"), ("glan_ffrwd_kaye", "homecare_shah", "cymorth_delaney"),
     "Contract monitoring, fee setting and the quality of home care."),
    # INTENDED group_size: only six parent carers expected (the guide finds eight to twelve helpful).
    (VisitKind.user_group_meeting, 4, "18:00", 90, "Parents of disabled children: carers' group", "derwen_day",
     ("reviewer", "reviewer2"), tuple(key for key, _kind, _name in PARENT_CARERS),
     "Evening meeting so that parents can come after work; a creche is provided in the next room."),
)

# The lay assessor's visits to service settings (15/45/45/45): day, start, setting, manager, briefing
SETTING_VISITS_1 = (
    (0, "10:30", "contact_centre", "contact_centre_manager",
     "First contact for the public: phone and counter. The new call system went live in the spring."),
    (1, "10:00", "derwen_day", "derwen_manager",
     "Day centre for older people; consultation on the reconfiguration of day services is under way."),
    (1, "14:00", "bryn_haul", "bryn_haul_manager",
     "Council residential home, 32 places; the last inspection report is in the review base."),
    (2, "10:00", "llwybr", "llwybr_manager",
     "Day opportunities for adults with a learning disability; look at the information given to families."),
    (3, "10:00", "tyr_afon", "tyr_afon_manager",
     "Short breaks for disabled children; refurbishment of the bedrooms finished last month."),
    (4, "10:00", "hafan", "hafan_manager",
     "Drop-in run with the health board. Note the access problem while the lift is out of order."),
)

# Team visits (15/45/45/45) by the lead reviewer: day, start, office, team name, manager and staff, briefing
TEAM_VISITS_1 = (
    (1, "11:00", "civic", "Duty and Assessment Team",
     ("duty_manager", "duty_social_worker", "duty_assistant"),
     "First point of contact for adult referrals. The team will provide its SWOT analysis and operational plan."),
    (2, "09:30", "pontygarreg", "Reablement Team",
     ("reablement_manager", "reablement_worker", "reablement_ot"),
     "Six-week reablement after hospital discharge; waiting list figures in the advance information."),
    (3, "09:30", "cwmderwen", "Fostering Team",
     ("fostering_manager", "fostering_social_worker", "fostering_recruitment"),
     "Recruitment and support of foster carers; the team will bring its recruitment plan."),
)

# One home visit per case: case number, day, start, minutes, team, status if not decided by the date.
# Pairs where the reviewers' day allows it; evenings where the family asked. Each reviewer's interviews plus
# home visits stay within four a day, but for the INTENDED day above.
HOME_VISITS_1 = (
    (7, 0, "14:00", 45, ("reviewer2",), VisitStatus.no_show),  # nobody in; the case then dropped out
    (2, 0, "14:00", 45, ("reviewer", "lay"), None),
    (1, 0, "16:00", 45, ("lead", "reviewer"), None),
    (9, 0, "18:00", 45, ("lead", "reviewer2"), None),
    (6, 0, "18:00", 45, ("reviewer",), None),
    (3, 1, "18:00", 45, ("lead", "reviewer2"), None),
    (8, 2, "13:00", 45, ("lead",), None),
    (10, 2, "14:30", 45, ("lead", "reviewer2"), None),
    (12, 2, "18:00", 45, ("lead", "reviewer"), VisitStatus.cancelled),  # the family withdrew its consent
    (13, 3, "14:30", 45, ("reviewer2",), None),
    (14, 3, "16:45", 45, ("lead",), None),
    (11, 3, "18:15", 45, ("lead", "reviewer"), None),
    (4, 4, "14:00", 45, ("reviewer",), None),
    (5, 4, "15:45", 40, ("reviewer2",), None),  # INTENDED home_visit_length: 40 minutes
    (15, 4, "16:00", 45, ("lead", "reviewer"), None),
)

# What happened at the visits already held, where it was not simply "attended".
PAST_ATTENDANCE = {
    "cllr_begum": AttendanceStatus.apologies,
    "duty_assistant": AttendanceStatus.absent,  # off sick
    "sw_lowri": AttendanceStatus.late,
    "ref_walsh": AttendanceStatus.absent,
    "ref_morgan": AttendanceStatus.apologies,
    "parent_ali": AttendanceStatus.apologies,
}


# --- review 2: a smaller review five weeks away ------------------------------------------------------------
LOCATIONS_2 = (
    ("neuadd", "Neuadd y Sir, Llanafon", LocationKind.council_office, "Llanafon",
     "Stryd y Bont, Llanafon SA48 9ZA", "Council car park opposite: visitors' permits from reception.",
     "Sign in at reception; meeting rooms on the ground floor.", 5),
)
STAFF_2 = (
    ("director_2", "Dr Lynne Harper", "Director of Social Services", "Directorate", "neuadd"),
    ("head_adults_2", "Iwan Prosser", "Head of Adult Services", "Directorate", "neuadd"),
    ("tl_adults_2", "Simon Beck", "Team Leader", "Adults Team", "neuadd"),
    ("sw_megan", "Megan Rowe", "Social Worker", "Adults Team", "neuadd"),
)
CASES_2 = (
    (1, ("su_voyle", "Mr H. Voyle"), None, "tl_adults_2", ("sw_megan",),
     "Bryn Teg, Ffordd y Mynydd, Llanafon SA48 9ZB", "Cattle grid at the lane end; park in the yard.",
     "Mr Voyle (79) lives on a hill farm with home care twice a day."),
)


# --- building ----------------------------------------------------------------------------------------------
# The demo's two (invented) councils: `seed-demo --refresh` empties a database only if it holds no other review.
DEMO_COUNCILS = ("Cwm Taf Valleys County Borough Council", "Bro Teifi County Council")


def on_site_days(today: date) -> list[date]:
    """Monday to Friday of today's week; at a weekend, five days from the day before yesterday, so that today
    is always one of them (the demo should show something whatever day it is loaded)."""
    first = today - timedelta(days=today.weekday()) if today.weekday() < 5 else today - timedelta(days=2)
    return [first + timedelta(days=offset) for offset in range(ON_SITE_DAYS)]


class _ReviewBuilder:
    """Adds one review's places, people, cases and visits, keyed by the short names used in the tables."""

    def __init__(self, session: Session, review: Review, days: list[date], today: date,
                 users: dict[str, User], first_phone: int):
        self.session = session
        self.review = review
        self.days = days
        self.today = today
        self.users = users
        self.tz = ZoneInfo(review.time_zone)
        # Drama numbers: mobiles for the public and partners, the council's switchboard range for its staff.
        self.mobiles = (f"07700 900{number:03d}" for number in count(first_phone))
        self.landlines = (f"01632 960{number:03d}" for number in count(first_phone))
        self.locations: dict[str, Location] = {}
        self.areas: dict[str, str] = {}
        self.people: dict[str, Participant] = {}
        self.offices: dict[str, str] = {}  # staff key -> office key
        self.cases: dict[int, Case] = {}
        self.visits: list[Visit] = []

    # places
    def add_locations(self, rows) -> None:
        for key, name, kind, area, address, parking, access, parking_minutes in rows:
            self._location(key, name, kind, area, address, parking, access, parking_minutes)
        self.session.flush()  # staff refer to their office by id

    def _location(self, key: str, name: str, kind: LocationKind, area: str, address: str, parking: str,
                  access: str, parking_minutes: int = 0) -> Location:
        location = Location(review_id=self.review.id, name=name, kind=kind, address=address,
                            parking_notes=parking, access_notes=access, parking_minutes=parking_minutes)
        self.session.add(location)
        self.locations[key] = location
        self.areas[key] = area
        return location

    def add_travel_times(self) -> None:
        """One row per pair of places other than homes; the checker reads them either way round and uses its
        default for homes."""
        self.session.flush()
        places = [key for key, location in self.locations.items() if location.kind is not LocationKind.home]
        for first, second in combinations(places, 2):
            minutes = TRAVEL_MINUTES[frozenset({self.areas[first], self.areas[second]})]
            self.session.add(TravelTime(from_location_id=self.locations[first].id,
                                        to_location_id=self.locations[second].id, minutes=minutes))

    def add_home_travel_times(self, rows) -> None:
        """Journeys between a few homes and every other place of the review, by the areas they are in."""
        self.session.flush()
        places = [key for key, location in self.locations.items() if location.kind is not LocationKind.home]
        for number, area in rows:
            home = self.locations[f"home_{number}"]
            for place in places:
                self.session.add(TravelTime(from_location_id=home.id, to_location_id=self.locations[place].id,
                                            minutes=TRAVEL_MINUTES[frozenset({area, self.areas[place]})]))

    # people
    def _person(self, key: str, kind: ParticipantKind, name: str, **details) -> Participant:
        person = Participant(review_id=self.review.id, kind=kind, name=name, **details)
        self.session.add(person)
        self.people[key] = person
        return person

    def add_staff(self, rows) -> None:
        for key, name, job_title, team, office in rows:
            self._person(key, ParticipantKind.staff, name, job_title=job_title, team=team,
                         office_id=self.locations[office].id if office else None, phone=next(self.landlines))
            self.offices[key] = office

    def add_stakeholders(self, rows) -> None:
        for key, name, role, organisation in rows:
            self._person(key, ParticipantKind.stakeholder, name, job_title=role, organisation=organisation,
                         phone=next(self.mobiles))

    def add_private_people(self, rows, organisation: str = "") -> None:
        for key, kind, name in rows:
            self._person(key, kind, name, organisation=organisation, phone=next(self.mobiles))

    def add_cases(self, prefix: str, rows) -> None:
        for number, (su_key, su_name), carer, leader, workers, address, access, _briefing in rows:
            reference = f"{prefix}-{self.today.year}-{number:03d}"
            self._person(su_key, ParticipantKind.service_user, su_name, phone=next(self.mobiles))
            if carer:
                self._person(carer[0], ParticipantKind.carer, carer[1], phone=next(self.mobiles))
            # Named by the case, not the person: a home's name shows wherever the place does.
            self._location(f"home_{number}", f"Home visit address ({reference})", LocationKind.home, "home",
                           address, "On-street parking unless noted.", access)
            # The carer is booked with the service user on the home visit (programme.service books both).
            case = Case(review_id=self.review.id, reference=reference, service_user=self.people[su_key],
                        carer=self.people[carer[0]] if carer else None,
                        team_leader=self.people[leader], social_workers=[self.people[key] for key in workers],
                        status=CaseStatus.identified)
            self.session.add(case)
            self.cases[number] = case

    def add_needs(self, rows, raised_by: User, arranged_by: User) -> list[NeedFlag]:
        needs = []
        for key, need_type, detail, arrangement in rows:
            need = NeedFlag(participant=self.people[key], type=need_type, detail=detail,
                            status=NeedStatus.arranged, arrangement=arrangement,
                            raised_by_id=raised_by.id, arranged_by_id=arranged_by.id)
            self.session.add(need)
            needs.append(need)
        return needs

    # visits
    def at(self, day: int, clock: str) -> datetime:
        """Wall-clock time on on-site day `day` (0-4), as the programme is written."""
        return datetime.combine(self.days[day], time.fromisoformat(clock))

    def status_on(self, when: date, wanted: Optional[VisitStatus]) -> VisitStatus:
        """A visit's status as of today: held ones completed, the next two days' confirmed, later planned.
        A no-show can only have happened in the past; a cancellation can be known in advance."""
        if wanted is VisitStatus.cancelled:
            return wanted
        if when < self.today:
            return wanted or VisitStatus.completed
        return VisitStatus.confirmed if when <= self.today + timedelta(days=1) else VisitStatus.planned

    def visit(self, kind: VisitKind, starts_at: datetime, minutes: int, title: str, where: str,
              team: Iterable[str], with_: Iterable[str] = (), *, case: Optional[Case] = None, briefing: str = "",
              plan: Iterable[tuple[str, int]] = (), status: Optional[VisitStatus] = None) -> Visit:
        visit = Visit(review_id=self.review.id, kind=kind, title=title, starts_at=starts_at,
                      ends_at=starts_at + timedelta(minutes=minutes), location=self.locations[where], case=case,
                      status=self.status_on(starts_at.date(), status), briefing=briefing,
                      team=[self.users[key] for key in team])
        visit.agenda = [AgendaSegment(position=position, title=segment, minutes=segment_minutes)
                        for position, (segment, segment_minutes) in enumerate(plan, start=1)]
        for key in with_:
            self._attend(visit, key)
        if kind is VisitKind.home_visit and visit.status in (VisitStatus.completed, VisitStatus.no_show):
            self._check_in_and_out(visit)  # else visits/overdue.py would raise a lone-working alert for it
        self.session.add(visit)
        self.visits.append(visit)
        return visit

    def _utc(self, wall_clock: datetime) -> datetime:
        return wall_clock.replace(tzinfo=self.tz).astimezone(timezone.utc)

    def _attend(self, visit: Visit, key: str) -> None:
        if visit.status is VisitStatus.cancelled:
            status = AttendanceStatus.dropped_out
        elif visit.status is VisitStatus.no_show:
            status = AttendanceStatus.absent
        elif visit.status is VisitStatus.completed:
            status = PAST_ATTENDANCE.get(key, AttendanceStatus.attended)
        else:
            status = AttendanceStatus.expected
        attendance = Attendance(participant=self.people[key], status=status)
        if status is not AttendanceStatus.expected:
            recorded = self._utc(visit.starts_at + timedelta(minutes=5))
            attendance.recorded_by = visit.team[0]
            attendance.recorded_at_device = recorded
            attendance.recorded_at = recorded + timedelta(seconds=40)  # synced a moment later
        visit.attendances.append(attendance)

    def _check_in_and_out(self, visit: Visit) -> None:
        """The lone-working record of a home visit already made (or tried: a no-show is still a trip to the
        door): in a little early, out a little late."""
        arrived = self._utc(visit.starts_at - timedelta(minutes=3))
        left = self._utc(visit.ends_at + timedelta(minutes=4))
        for member in visit.team:
            visit.checks.append(CheckIn(user=member, checked_in_at=arrived, checked_in_recorded_at=arrived,
                                        checked_out_at=left, checked_out_recorded_at=left))

    def interview(self, day: int, start: str, reviewer: str, interviewee: str, where: Optional[str],
                  briefing: str) -> Visit:
        person = self.people[interviewee]
        where = where or self.offices.get(interviewee) or "base"
        where_from = person.team or person.organisation
        about = person.job_title if where_from in person.job_title else f"{person.job_title}, {where_from}"
        return self.visit(VisitKind.staff_interview, self.at(day, start), INTERVIEW_MINUTES,
                          f"Interview: {person.name}, {about}", where, (reviewer,), (interviewee,),
                          briefing=briefing)

    def home_visit(self, number: int, day: int, start: str, minutes: int, team: Iterable[str],
                   status: Optional[VisitStatus], briefing: str, with_: Iterable[str]) -> Visit:
        case = self.cases[number]
        return self.visit(VisitKind.home_visit, self.at(day, start), minutes, f"Home visit – {case.reference}",
                          f"home_{number}", team, with_, case=case, briefing=briefing, status=status)

    def settle_cases(self) -> None:
        """Each case's status as the app derives it from the visits (visits/case_status.py): a case whose home
        visit was made is visited. Where the visit fell through (nobody in, or the family withdrew), the link
        officer then recorded the service user as dropped out, and so the case is."""
        for visit in self.visits:
            if visit.case is None or visit.kind is not VisitKind.home_visit:
                continue
            if visit.status in (VisitStatus.cancelled, VisitStatus.no_show):
                for attendance in visit.attendances:
                    if attendance.participant is visit.case.service_user:
                        attendance.status = AttendanceStatus.dropped_out
        for case in self.cases.values():
            case.status = CaseStatus(derive_case_status(
                CaseVisit(kind=visit.kind.value, status=visit.status.value, starts_at=visit.starts_at,
                          service_user_attendance=next(
                              (attendance.status.value for attendance in visit.attendances
                               if attendance.participant is case.service_user), None))
                for visit in self.visits if visit.case is case or any(
                    attendance.participant is case.service_user for attendance in visit.attendances)))


def build_demo(session: Session, today: date, password: str) -> dict[str, int]:
    """Add the two demo reviews to `session` (the caller commits) and return how much was added."""
    password_hash = hash_password(password)  # slow on purpose, so hashed once for every demo account
    users = {key: User(name=name, email=email, phone=f"07700 900{number:03d}", password_hash=password_hash,
                  is_demo=True, is_admin=key == "admin")
             for number, (key, email, name) in enumerate(ACCOUNTS, start=1)}
    session.add_all(users.values())
    session.flush()  # needs record who raised and arranged them by id

    review_1 = _build_review_1(session, today, users)
    review_2 = _build_review_2(session, today, users)
    session.flush()
    _seed_feedback(session, review_1)
    _seed_themes(session, [review_1, review_2])
    _seed_concerns(session, review_1)
    return _summary(review_1, review_2, users)


def _new_review(session: Session, council: str, phase: ReviewPhase, days: list[date], users: dict[str, User],
                roles) -> Review:
    review = Review(council_name=council, phase=phase, status=ReviewStatus.fieldwork, on_site_from=days[0],
                    on_site_to=days[-1], time_zone=TIME_ZONE,
                    memberships=[Membership(user=users[key], role=role) for key, role in roles])
    session.add(review)
    session.flush()
    return review


def _build_review_1(session: Session, today: date, users: dict[str, User]) -> _ReviewBuilder:
    days = on_site_days(today)
    review = _new_review(session, DEMO_COUNCILS[0], ReviewPhase.fieldwork, days, users,
                         REVIEW_1_ROLES)
    demo = _ReviewBuilder(session, review, days, today, users, first_phone=100)
    demo.add_locations(LOCATIONS_1)
    demo.add_staff(STAFF_1)
    demo.add_stakeholders(STAKEHOLDERS_1)
    demo.add_private_people(REFERENCE_GROUP, "Service user and carer reference group")
    demo.add_private_people(PARENT_CARERS, "Parent carers' group")
    demo.add_cases("CTV", CASES_1)
    demo.add_travel_times()
    demo.add_home_travel_times(HOME_TRAVEL_1)
    needs = demo.add_needs(NEEDS_1, raised_by=users["link"], arranged_by=users["link_admin"])

    for kind, day, start, minutes, title, where, team, with_, briefing in MEETINGS_1:
        demo.visit(kind, demo.at(day, start), minutes, title, where, team, with_, briefing=briefing)
    for day, start, setting, manager, briefing in SETTING_VISITS_1:
        demo.visit(VisitKind.setting_visit, demo.at(day, start), _minutes(SETTING_VISIT_PLAN),
                   f"Setting visit: {demo.locations[setting].name}", setting, ("lay",), (manager,),
                   briefing=briefing, plan=SETTING_VISIT_PLAN)
    for day, start, office, team_name, staff, briefing in TEAM_VISITS_1:
        demo.visit(VisitKind.team_visit, demo.at(day, start), _minutes(TEAM_VISIT_PLAN),
                   f"Team visit: {team_name}", office, ("lead",), staff, briefing=briefing, plan=TEAM_VISIT_PLAN)
    _add_interviews(demo, INTERVIEWS_1, CASES_1)
    _add_home_visits(demo, HOME_VISITS_1, CASES_1)

    demo.settle_cases()
    _settle_needs(demo, needs)
    return demo


def _build_review_2(session: Session, today: date, users: dict[str, User]) -> _ReviewBuilder:
    this_monday = today - timedelta(days=today.weekday())
    days = on_site_days(this_monday + timedelta(weeks=5))
    review = _new_review(session, DEMO_COUNCILS[1], ReviewPhase.broad_review, days, users,
                         REVIEW_2_ROLES)
    demo = _ReviewBuilder(session, review, days, today, users, first_phone=600)
    demo.add_locations(LOCATIONS_2)
    demo.add_staff(STAFF_2)
    demo.add_cases("BTC", CASES_2)
    demo.add_travel_times()

    # The broad review's introductory meeting, on the Tuesday three weeks before the on-site week.
    demo.visit(VisitKind.briefing, demo.at(1, "10:00") - timedelta(weeks=3), 90,
               "Introductory meeting with social services and corporate managers", "neuadd",
               ("lead2", "reviewer"), ("director_2", "head_adults_2"),
               briefing="Introduce the review team; the director highlights the critical issues.")
    demo.visit(VisitKind.stakeholder_meeting, demo.at(0, "09:30"), 90, "Social services management team",
               "neuadd", ("lead2", "reviewer"), ("director_2", "head_adults_2"),
               briefing="The key issues for social services as the management team sees them.")
    _add_interviews(demo, ((0, "13:30", "reviewer", "sw_megan", None),
                           (0, "15:00", "reviewer", "tl_adults_2", None)), CASES_2)
    _add_home_visits(demo, ((1, 1, "18:00", 45, ("lead2", "reviewer"), None),), CASES_2)
    return demo


def _minutes(plan) -> int:
    return sum(minutes for _title, minutes in plan)


def _add_interviews(demo: _ReviewBuilder, rows, cases) -> None:
    """Staff interviews, each briefed with the cases it is about (team leaders: all their cases at once)."""
    leaders = {row[3] for row in cases}
    references: dict[str, list[str]] = {}
    for number, _service_user, _carer, leader, workers, *_rest in cases:
        for key in (*workers, leader):
            references.setdefault(key, []).append(demo.cases[number].reference)
    for day, start, reviewer, interviewee, where in rows:
        refs = ", ".join(references.get(interviewee, ()))
        if interviewee in leaders:
            briefing = (f"Team leader for {refs}: one interview covers all their cases. Supervision, workload "
                        f"and the team's priorities.")
        elif refs:
            briefing = (f"About {refs}: the assessment, care plan and reviews, then general awareness of policy "
                        f"and procedures. The file will be in the interview room.")
        else:
            briefing = "How their service works with social services: what works well and what could be better."
        demo.interview(day, start, reviewer, interviewee, where, briefing)


# Why a home visit was cancelled (asked when cancelling, shown to the team): case number -> reason.
CANCEL_REASONS = {12: "The family withdrew its consent."}


def _add_home_visits(demo: _ReviewBuilder, rows, cases) -> None:
    by_number = {row[0]: row for row in cases}
    for number, day, start, minutes, team, status in rows:
        _number, (service_user, _name), carer, _leader, _workers, _address, _access, briefing = by_number[number]
        with_ = (service_user, carer[0]) if carer else (service_user,)
        visit = demo.home_visit(number, day, start, minutes, team, status, briefing, with_)
        if visit.status is VisitStatus.cancelled:
            visit.cancel_reason = CANCEL_REASONS.get(number, "")


def _settle_needs(demo: _ReviewBuilder, needs: list[NeedFlag]) -> None:
    """Needs whose visits are all past were confirmed on the day; the others are arranged, but for one.

    INTENDED unarranged_need: of the needs with a visit today or tomorrow, the soonest (first in NEEDS_1 on a
    tie) is still only requested, so the checker and the needs page always have one to show within 48 hours,
    whatever day the demo is loaded.
    """
    visit_days: dict[int, list[date]] = {}
    for visit in demo.visits:
        if visit.status is not VisitStatus.cancelled:
            for attendance in visit.attendances:
                visit_days.setdefault(id(attendance.participant), []).append(visit.starts_at.date())

    due_soon = []
    for need in needs:
        days = visit_days.get(id(need.participant), [])
        if days and max(days) < demo.today:
            need.status = NeedStatus.confirmed
        upcoming = [day for day in days if demo.today <= day <= demo.today + timedelta(days=1)]
        if upcoming:
            due_soon.append((min(upcoming), need))
    if due_soon:
        _day, need = min(due_soon, key=lambda pair: pair[0])
        need.status, need.arrangement, need.arranged_by_id = NeedStatus.requested, "", None


def _summary(review_1: _ReviewBuilder, review_2: _ReviewBuilder, users: dict[str, User]) -> dict[str, int]:
    """Review 1's visits by kind, then its cases, people and needs, then the rest."""
    kinds = Counter(visit.kind for visit in review_1.visits)
    cases = Counter(case.status for case in review_1.cases.values())
    needs = [need for person in review_1.people.values() for need in person.needs]
    summary = {kind.value: kinds[kind] for kind in VisitKind}
    summary.update(
        visits=len(review_1.visits),
        cases=len(review_1.cases),
        cases_visited=cases[CaseStatus.visited],
        cases_dropped_out=cases[CaseStatus.dropped_out],
        participants=len(review_1.people),
        locations=len(review_1.locations),
        needs=len(needs),
        needs_requested=sum(1 for need in needs if need.status is NeedStatus.requested),
        users=len(users),
        reviews=2,
        review_2_visits=len(review_2.visits),
    )
    return summary


# --- service users' feedback (DESIGN section 12) -------------------------------------------------------------------
# (setting or home visit index among review 1's visits where feedback is asked, supported_by, answers, comment)
FEEDBACK_1 = (
    (0, "none", {"respect": 5, "listened": 4, "information": 3, "getting_in": 2, "choices": 4, "overall": 4},
     "The ramp at the front is too steep for my chair."),
    (0, "carer", {"respect": 4, "listened": "declined", "information": 4, "getting_in": 2, "overall": 4}, ""),
    (0, "advocate", {"respect": 5, "listened": 5, "information": "declined", "getting_in": 3, "overall": 5}, ""),
    (1, "interpreter", {"respect": 3, "listened": 2, "information": 2, "getting_in": 4, "choices": "declined",
                        "overall": 3}, "Nobody told me when the bus comes back."),
    (1, "none", {"respect": 4, "listened": 3, "information": 3, "getting_in": 4, "choices": 3, "overall": 3}, ""),
    (2, "carer", {"respect": 5, "listened": 5, "information": 4, "getting_in": 5, "choices": 4, "overall": 5}, ""),
)
# Issue 13, for each of FEEDBACK_1 in turn: the language answered in and whether the Welsh active offer was made
# (None: not recorded). The interpreter's answers were in Polish.
FEEDBACK_LANGUAGES_1 = (("cy", True), ("en", True), ("en", False), ("pl", True), ("en", None), ("cy", True))


def _seed_feedback(session: Session, demo: _ReviewBuilder) -> None:
    """A few people's answers at the demo's settings and a home visit (some declined, two comments), and the lead's
    "what we did about it" for the first setting, so the feedback pages have something on them."""
    wanted = [visit for visit in demo.visits if visit.kind is VisitKind.setting_visit][:2]
    wanted += [visit for visit in demo.visits if visit.kind is VisitKind.home_visit][:1]
    if len(wanted) < 3:
        return
    for number, ((index, supported_by, answers, comment), (language, offer)) in enumerate(
            zip(FEEDBACK_1, FEEDBACK_LANGUAGES_1, strict=True)):
        visit = wanted[index]
        recorded = demo._utc(visit.ends_at - timedelta(minutes=10 + number))
        session.add(Feedback(visit_id=visit.id, recorded_by_id=visit.team[0].id, language=language,
                             active_offer=offer,
                             supported_by=SupportedBy(supported_by), consent=True, answers=answers,
                             comment=comment, recorded_at_device=recorded, recorded_at=recorded))
    session.add(FeedbackAction(review_id=demo.review.id, location_id=wanted[0].location_id,
                               visit_kind=VisitKind.setting_visit.value, recorded_by_id=demo.users["lead"].id,
                               text="Asked the centre manager to fit a handrail beside the ramp; "
                                    "to be checked at the next visit."))


# --- Themes (issue 11): each review's default themes, and notes that carry them ------------------------------
# (kind of visit, kind of note, the headings' texts, anything else, the themes it gives evidence for)
THEMED_NOTES_1 = [
    (VisitKind.home_visit, "home_visit",
     {"persons_story": "Lives alone since her husband died in the spring; her daughter visits at weekends.",
      "assessment_and_care_plan": "Has a copy of her care plan but it still lists the old morning call time.",
      "involvement_and_choice": "Chose the agency herself from a list; was not offered a direct payment.",
      "what_works": "The same two carers most days; they know her routine.",
      "what_does_not_work": "Calls are often 40 minutes late, so breakfast and tablets are late.",
      "to_follow_up": "Check call times in the agency's logs."},
     "", ("Assessment and care planning", "Involvement and choice")),
    (VisitKind.home_visit, "home_visit",
     {"persons_story": "Cares for his wife, who has dementia; no break in two years.",
      "what_does_not_work": "Nobody has offered him a carer's assessment.",
      "to_follow_up": "Ask the team about carers' assessments and respite."},
     "", ("Carers",)),
    (VisitKind.home_visit, "home_visit",
     {"involvement_and_choice": "Information about the service only in English; Welsh asked for twice.",
      "what_works": "The occupational therapist came within a week and fitted rails."},
     "", ("Diversity and language", "Access and information")),
    (VisitKind.staff_interview, "interview",
     {"their_role_and_story": "Social worker in the adult team for six years.",
      "what_works": "Weekly case discussion with the team manager.",
      "what_does_not_work": "Caseloads around 35; reviews slip to make room for new referrals.",
      "examples_given": "Two annual reviews overdue by four months.",
      "to_follow_up": "Ask for the team's review figures."},
     "", ("Staffing and workload", "Quality and outcomes")),
    (VisitKind.staff_interview, "interview",
     {"their_role_and_story": "Team manager; joined from another council last year.",
      "what_works": "Joint meetings with the district nurses every fortnight.",
      "to_follow_up": "See the hospital discharge protocol."},
     "", ("Partnership working", "Leadership and management")),
    (VisitKind.staff_interview, "interview",
     {"their_role_and_story": "Duty worker taking first calls.",
      "examples_given": "A safeguarding referral passed on the same day, with the outcome fed back."},
     "", ("Safeguarding",)),
    (VisitKind.setting_visit, "setting_observation",
     {"welcome_and_reception": "Greeted at the door by name; tea offered.",
      "access_and_environment": "Ramp at the front but no handrail.",
      "what_people_said": "\"The staff are lovely, but the minibus is always late.\""},
     "", ("Access and information", "Quality and outcomes")),
    (VisitKind.setting_visit, "setting_observation",
     {"information_for_public": "Complaints leaflet only in English, behind the desk.",
      "dignity_privacy_atmosphere": "Personal care discussed in the lounge in front of others."},
     "Manager was open about the staffing gaps.", ("Diversity and language", "Staffing and workload")),
    (VisitKind.home_visit, "general", {}, "Visit cut short: the person was unwell. Offered another day.", ()),
]
# Issue 13, for each of THEMED_NOTES_1 in turn: the conversation's language and whether the Welsh active offer was
# made (None: not recorded). The team manager's interview was held in Welsh, offered without being asked for; the
# person who asked twice for Welsh information was never offered it.
NOTE_CONVERSATIONS_1 = (
    ("en", True), ("en", True), ("en", False),
    ("en", True), ("cy", True), ("interpreter", True),
    ("en", None), (None, None), (None, None),
)


def _seed_themes(session: Session, reviews: list[_ReviewBuilder]) -> None:
    """Each review's default themes; in the first review, notes on the visits of the week so far (on its first
    visits when the week starts today) by the team that went, most of them carrying one or two themes."""
    from .models import Note, NoteKind, NoteRevision, Theme
    from .themes import DEFAULT_THEMES

    by_review = {}
    for demo in reviews:
        by_review[demo.review.id] = {str(name): Theme(review_id=demo.review.id, name=str(name), position=position)
                                     for position, name in enumerate(DEFAULT_THEMES)}
        session.add_all(by_review[demo.review.id].values())
    session.flush()
    demo = reviews[0]
    themes = by_review[demo.review.id]
    started = [v for v in demo.visits if v.starts_at.date() <= demo.today and v.team] or \
        [v for v in demo.visits if v.team]
    used: set[int] = set()
    for (visit_kind, note_kind, prompts, body, names), (language, offer) in zip(THEMED_NOTES_1, NOTE_CONVERSATIONS_1,
                                                                                  strict=True):
        visit = next((v for v in started if v.kind is visit_kind and v.id not in used), None)
        if visit is None:
            continue
        used.add(visit.id)
        author = visit.team[0]
        note = Note(visit=visit, author_id=author.id, kind=NoteKind(note_kind), body=body, prompts=prompts,
                    version=1, themes=[themes[name] for name in names if name in themes], language=language,
                    active_offer=offer)
        session.add(note)
        session.add(NoteRevision(note=note, version=1, body=body, prompts=prompts, saved_by_id=author.id))
    session.flush()


# --- Concerns (issue 11): one at each step of its lifecycle, and the review's emergency numbers --------------
# (kind of visit, category, rating, what was seen, the step reached, hours since raised, the lead's and the link
#  officer's words: (referred to, referral text) or the reason not to refer, then the outcome)
CONCERNS_1 = (
    ("home_visit", "safeguarding", "red", "Bruising on both forearms; she said she 'falls a lot' and changed the "
     "subject when her son came in.", "raised", 1, None, None),
    ("home_visit", "safeguarding", "amber", "Tablets for the week loose in a bowl on the kitchen table; the carers "
     "do not sign for them.", "referred", 5,
     ("Sam Patel, adult safeguarding team", "Medicines left unsecured at a home visit; carers not recording "
      "administration. Please review the care agency's medication practice."), None),
    ("setting_visit", "health_and_safety", "green", "Fire exit partly blocked by stacked chairs in the hall.",
     "not_referred", 28, "Raised with the centre manager on the day; the chairs were moved while we were there.",
     None),
    ("home_visit", "safeguarding", "amber", "Carer says he has not slept a full night in months and 'cannot go "
     "on'.", "acknowledged", 30,
     ("Duty team, carers' support", "A carer under severe strain asked for help; please contact him about a "
      "carer's assessment and respite."), None),
    ("setting_visit", "health_and_safety", "amber", "Hoist sling frayed at the seam, still in use.",
     "outcome_recorded", 52,
     ("Estates and equipment team", "A frayed hoist sling in use at the day centre."),
     "The sling was withdrawn the same afternoon and all slings at the centre checked; two more replaced."),
)


def _seed_concerns(session: Session, demo: _ReviewBuilder) -> None:
    """A concern at each step (raised, referred and not acknowledged -- red on the board --, not referred with a
    reason, acknowledged, outcome recorded), each raised by someone on the visit's team, with ages counted back
    from now; and the review's emergency and out-of-hours numbers."""
    from .models import Concern, ConcernCategory, Rating

    demo.review.emergency_number = "999"
    demo.review.out_of_hours_number = "0300 123 4567 (Emergency Duty Team, evenings and weekends)"
    lead, link = demo.users["lead"], demo.users["link"]
    now = datetime.now(timezone.utc)
    used: set[int] = set()
    for kind, category, rating, text, state, hours, referral, outcome in CONCERNS_1:
        visit = next((v for v in demo.visits if v.kind.value == kind and v.team and v.id not in used), None)
        if visit is None:
            continue
        used.add(visit.id)
        raised = now - timedelta(hours=hours)
        concern = Concern(visit_id=visit.id, category=ConcernCategory(category), rating=Rating(rating), text=text,
                          raised_by_id=visit.team[0].id, raised_at=raised)
        if state == "not_referred":
            concern.not_referred_at, concern.not_referred_by_id = raised + timedelta(hours=2), lead.id
            concern.not_referred_reason = referral
        elif state != "raised":
            concern.referred_to, concern.referral_text = referral
            concern.referred_at, concern.referred_by_id = raised + timedelta(hours=2), lead.id
        if state in ("acknowledged", "outcome_recorded"):
            concern.acknowledged_at, concern.acknowledged_by_id = raised + timedelta(hours=3), link.id
        if state == "outcome_recorded":
            concern.outcome, concern.outcome_at, concern.outcome_by_id = outcome, raised + timedelta(hours=26), link.id
        session.add(concern)
