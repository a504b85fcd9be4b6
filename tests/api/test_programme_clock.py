"""The programme checker runs with the app's clock: a need nobody arranged on a visit that has already ended is
past arranging, and is no longer an error on the programme."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo



LONDON = ZoneInfo("Europe/London")



def need_findings(client, app, console, hour: int, day_offset: int = 0) -> list[dict]:
    day = console.day + timedelta(days=day_offset)
    moment = datetime.combine(day, time(hour), tzinfo=LONDON).astimezone(timezone.utc)
    app.config["CLOCK"] = lambda: moment  # the board's clock, which the checker shares
    body = client.get("/api/programme/findings").get_json()
    return [finding for finding in body["findings"] if finding["rule"] == "unarranged_need"]


def test_a_need_on_a_home_visit_is_a_finding_until_the_visit_has_ended(client, app, console):
    client.login(console.link)
    # The home visit with the Polish interpreter only requested runs 18:00 to 18:45 on console.day.
    [before] = need_findings(client, app, console, hour=12)
    assert before["visit_ids"] == [console.home_visit.id]
    assert need_findings(client, app, console, hour=19) == []
    assert need_findings(client, app, console, hour=9, day_offset=3) == []
