"""Time: business calendars and clocks, error budgets, maintenance windows and incident deadlines.

Everything here is pure: every function takes the instants it works on (aware datetimes) and
never reads the current time or the machine's time zone.
"""
