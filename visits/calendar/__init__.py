"""Everyone's visits in their phone's calendar: the iCalendar feed (feed.py), and the page where a person makes
or stops their secret feed URL, with the feed's route (views.py)."""
