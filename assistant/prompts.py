"""The sentences the assistant says in its own voice, written once: tests check for them."""

from __future__ import annotations

REFUSAL = "The indexed documents do not appear to address this question."
#: The heading over what an abstention shows instead of quotes.
CLOSEST_MATCHES = "Closest matches (not answers)"
NOT_ENGLISH_NOTICE = (
    "The documents are indexed in English; a question in another language may find poor "
    "matches. Ask in English for best results."
)
