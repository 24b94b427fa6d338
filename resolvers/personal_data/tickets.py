"""A ticket reference goes into the permanent audit log, so it is a short, closed alphabet
(no free text that could hold personal data)."""

from __future__ import annotations

import re

TICKET = re.compile(r"^[A-Za-z0-9#:._-]{1,64}$")
