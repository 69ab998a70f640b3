"""Time facts that know nothing of policies: RFC 5545 recurrences and public holidays.

Below the models, which validate a window's ``rrule`` and a calendar's holiday country with them;
:mod:`relpolicy.chrono` builds the policy-aware time math on top. Both modules import their
library (dateutil, holidays) at the top, so the models import them only when a value needs it.
"""
