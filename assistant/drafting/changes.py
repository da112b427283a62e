"""Questions about one paragraph across two versions: "What changed in paragraph 12 between
A/C.2/80/L.17 and A/RES/80/118?", answered in a sentence or two."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.drafting.diff import describe_ops
from assistant.drafting.versions import ChangeStatus, Comparison, ParagraphChange
from assistant.references import named_documents, paragraph_references
from corpus.model import Paragraph, paragraph_reference

_CHANGE_WORDS = re.compile(
    r"\b(?:chang(?:e|ed|es|ing)|differ(?:s|ed|ence|ences)?|amended|"
    r"revis(?:ed|ion|ions)|modif(?:y|ied|ication|ications)|evolv(?:e|ed)|edit(?:s|ed)?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ChangeQuestion:
    """A question about one paragraph across two versions: its label as the question gives
    it, and the two documents (symbols or ids, with the annex if named) in the order
    named."""

    label: str
    first: str
    second: str
    first_part: str | None = None
    second_part: str | None = None


def parse_change_question(question: str) -> ChangeQuestion | None:
    """ "What changed in paragraph 12 between A/C.2/80/L.17 and A/RES/80/118?", "How was
    para. 99 of the final draft amended in the outcome document?": a word of change, a
    paragraph reference and two documents; None for any other question."""
    if not _CHANGE_WORDS.search(question):
        return None
    parts: dict[str, str | None] = {}
    for named in named_documents(question):
        parts[named.symbol] = parts.get(named.symbol) or named.part
    references = paragraph_references(question)
    if len(parts) < 2 or not references:
        return None
    (first, first_part), (second, second_part) = list(parts.items())[:2]
    return ChangeQuestion(references[0].label, first, second, first_part, second_part)


def describe_changes(comparison: Comparison, changes: Sequence[ParagraphChange]) -> str:
    """What became of one paragraph, in a sentence or two, labels as cited."""
    old_name, new_name = comparison.old.name, comparison.new.name
    first = changes[0]
    if first.status is ChangeStatus.ADDED and first.new is not None:
        return (
            f"{_ref(first.new).capitalize()} of {new_name} is new: {old_name} has no paragraph "
            "with its wording."
        )
    if first.status is ChangeStatus.DELETED and first.old is not None:
        return (
            f"{_ref(first.old).capitalize()} of {old_name} was deleted: {new_name} has no "
            "paragraph with its wording."
        )
    assert first.old is not None and first.new is not None
    olds = list(dict.fromkeys(_ref(c.old) for c in changes if c.old is not None))
    news = list(dict.fromkeys(_ref(c.new) for c in changes if c.new is not None))
    edits = [e for c in changes for e in describe_ops(c.ops)]
    moved = any(c.status is ChangeStatus.MOVED for c in changes)
    subject = f"{' and '.join(olds)} of {old_name}"
    subject = subject[:1].upper() + subject[1:]
    if olds == news and not moved:
        if not edits:
            return f"{subject} is unchanged in {new_name}."
        return f"{subject} was modified in {new_name}: {'; '.join(edits)}."
    if len(news) > 1:
        verb = "was split into"
    elif len(olds) > 1:
        verb = "were merged into"
    else:
        verb = "became"
    became = f"{subject} {verb} {' and '.join(news)} of {new_name}"
    if moved:
        became += ", moved out of its former order"
    if not edits:
        return f"{became}, unchanged in wording."
    return f"{became}, modified: {'; '.join(edits)}."


def _ref(paragraph: Paragraph) -> str:
    return paragraph_reference(paragraph)
