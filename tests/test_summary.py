"""Short answers (``style="summary"``): the reply parsed into cited sentences, each sentence
checked against the paragraphs it cites (names and numbers, then the model's verdict), the
ones that fail left out and counted, sentences put into the question's language, and the
short answer in every rendering. The model is a scripted judge here, where what is tested is
the checking around it; the last test writes a short answer with the real bundled model over
the real index."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from contract import check_answer_json
from fakes import MemoryStore, ScriptedJudge, WordHashEmbedder, WordOverlapScorer

from assistant import render
from assistant.answers import Hit, Quote
from assistant.api import Assistant
from assistant.app.views import ask_views
from assistant.prompts import VOICES
from assistant.reader.judges import JudgeFailed
from assistant.reader.reading import Reader, ReaderCalibration
from assistant.summary import (
    Claim,
    Summarizer,
    acronyms,
    changed_decisions,
    echoed,
    misattributed,
    missing_names,
    parse_claims,
    source_line,
    unsourced_documents,
)
from corpus.errors import InvalidQuestion
from corpus.model import Document, DocumentKind, Paragraph, ParagraphKind, ParsedDocument
from corpus.settings import Settings

FORUM = (
    "Decides that the Internet Governance Forum shall be made a permanent forum of the "
    "United Nations, with a secretariat funded from the regular budget."
)
REPORT = "Requests the Secretary-General to report every two years on the work of the Forum."
ARCHIVE = "Notes the archive of Quillmouth keeps zebra records for the tamarind festival."
QUESTION = "Will the Internet Governance Forum become permanent?"

SUPPORTED = "The Internet Governance Forum is made a permanent forum of the United Nations"
INVENTED = "The Forum will meet in Lisbon in 2031"
OVERSTATED = "The Forum is to be funded by voluntary contributions only"
UNSAID = "It has no end date"
REPLY = f"{SUPPORTED} [1]. {INVENTED} [1]. {OVERSTATED} [1]. {UNSAID}."
#: What the model says of each sentence, checked against the paragraph on the Forum.
VERDICTS = {SUPPORTED: 0.9, INVENTED: 0.9, OVERSTATED: 0.2, UNSAID: 0.1}


# --- Reading the model's reply ----------------------------------------------------------------


def test_each_sentence_takes_the_citation_marks_it_holds() -> None:
    reply = (
        "A is so here [1]. B is so here [2][1]. C is so here [3]. The Compact's paragraphs [2] "
        "cover connectivity. It is decided. [1]"
    )
    claims, dropped = parse_claims(reply, 2)
    assert claims == [
        Claim("A is so here.", (0,)),
        Claim("B is so here.", (1, 0)),
        Claim("The Compact's paragraphs cover connectivity.", (1,)),
        Claim("It is decided.", (0,)),
    ]
    assert dropped == 1  # [3] is no source


def test_a_mark_after_several_sentences_cites_them_all_and_trailing_text_cites_nothing() -> None:
    claims, dropped = parse_claims("It is permanent. It has a secretariat [1].\nAnd more here.", 2)
    assert [c.text for c in claims] == ["It is permanent.", "It has a secretariat."]
    assert [c.sources for c in claims] == [(0,), (0,)] and dropped == 1
    claims, dropped = parse_claims("It is permanent. It has a secretariat.", 1)
    assert [c.sources for c in claims] == [(0,), (0,)] and dropped == 0
    assert parse_claims("[1]", 1) == ([], 0)


def test_what_is_not_a_whole_sentence_is_not_kept() -> None:
    """Fragments say nothing that can be checked: too short, or cut off where the model
    listed paragraph numbers; an abbreviation does not end a sentence."""
    reply = "Yes [1]. The paragraphs that deal with it are [1], [2]. See para. 6 of it [1]."
    claims, dropped = parse_claims(reply, 2)
    assert claims == [Claim("See para. 6 of it.", (0,))]
    assert dropped == 2


def test_a_paragraph_asked_about_by_number_may_be_cited_by_it() -> None:
    """Asked about "paragraph 45", a model may mark the sentence [45]: that is the source
    labelled 45, when exactly one is."""
    assert parse_claims("It says so [45].", 2, ["44", "45"]) == ([Claim("It says so.", (1,))], 0)
    assert parse_claims("It says so [45].", 2, ["45", "45"]) == ([], 1)


def test_acronyms_stand_for_names_spelled_out() -> None:
    found = acronyms("the World Summit on the Information Society and the Global Digital Compact")
    assert {"WSIS", "GDC"} <= found
    assert "IGF" not in found


@pytest.mark.parametrize(
    ("sentence", "changed"),
    [
        ("The General Assembly endorsed the final report.", ("endorsed",)),
        ("The Assembly takes note of the final report.", ()),
        ("The Assembly decided to make the Forum permanent.", ("decided",)),
        ("The report of the working group is noted.", ()),
        ("The Assembly requires the group to report.", ("requires",)),
    ],
)
def test_a_sentence_may_not_change_how_the_text_decides(
    sentence: str, changed: tuple[str, ...]
) -> None:
    """UN texts take positions by their verbs: "takes note of" is not "endorses"."""
    source = "Takes note of the final report of the open-ended working group 2021-2025."
    assert changed_decisions(sentence, [source]) == changed


@pytest.mark.parametrize(
    ("sentence", "missing"),
    [
        ("The Internet Governance Forum is permanent.", ()),
        ("The IGF is permanent with a secretariat.", ()),
        ("The Forum meets in Lisbon in 2031.", ("2031", "Lisbon")),
        ("UNESCO funds the Forum.", ("UNESCO",)),
        ("The WSIS+20 outcome makes the IGF permanent.", ()),
        ("The WSIS+25 outcome makes the IGF permanent.", ("25",)),
    ],
)
def test_names_and_numbers_must_be_in_the_cited_paragraphs(
    sentence: str, missing: tuple[str, ...]
) -> None:
    title = "Outcome document of the review of the World Summit on the Information Society"
    question = "What does the WSIS+20 outcome say about the IGF?"
    assert sorted(missing_names(sentence, [FORUM, title], question)) == sorted(missing)


@pytest.mark.parametrize(
    ("sentence", "missing"),
    [
        ("The 2023 STI resolution calls upon Member States to act.", ()),
        ("The resolution calls upon WIPO to act.", ("WIPO",)),
        ("STI paragraph 4 calls upon Member States to act.", ()),
        ("It calls upon States to use ICTs and AI.", ()),
    ],
)
def test_a_name_from_the_question_may_name_a_document_and_nothing_else(
    sentence: str, missing: tuple[str, ...]
) -> None:
    """Asked what a resolution asks of WIPO, a paragraph calling upon Member States does not
    call upon WIPO; the question's name for the resolution ("the 2023 STI resolution") may
    be used. An acronym may stand for words spelled out in lower case ("information and
    communications technologies")."""
    source = (
        "Calls upon Member States to act on information and communications technologies "
        "and artificial intelligence."
    )
    question = "What does the 2023 STI resolution ask WIPO to do?"
    assert missing_names(sentence, [source, "A/RES/78/160, para. 4\n2023"], question) == missing


@pytest.mark.parametrize(
    ("question", "sentence", "echoes"),
    [
        (
            "Is telemedicine or remote diagnosis mentioned in the outcome document?",
            "Telemedicine and remote diagnosis are mentioned in the outcome document.",
            ("telemedicine",),
        ),
        (
            "Is remote diagnosis for a local health worker mentioned in the outcome document?",
            "Remote diagnosis to support a local health worker is mentioned.",
            (),
        ),
        (
            "How can companies sign up to the Compact?",
            "Companies can sign up to the Global Digital Compact.",
            ("companies", "sign"),
        ),
        (
            "Where does paragraph 38 of the WSIS+20 outcome describe diagnoses at a distance?",
            "Paragraph 38 of the WSIS+20 outcome describes remote diagnosis.",
            (),
        ),
        (
            "What does the health resolution expect of the two Member States?",
            "The health resolution expects Member States to support health workers.",
            (),
        ),
    ],
)
def test_a_sentence_may_not_give_the_question_back_as_its_answer(
    question: str, sentence: str, echoes: tuple[str, ...]
) -> None:
    """Words a sentence takes from the question must be in what it cites, in some form
    ("workers" is "worker"); names, the words naming a document or part of it, numbers
    and the verbs the question asks by do not count."""
    paragraph = (
        "Digitalization has enabled remote diagnosis to support local health workers. "
        "Calls upon Member States to build on these opportunities."
    )
    assert echoed(sentence, [paragraph, "A/RES/80/173\nHealth"], question) == echoes


# --- Checking and leaving out -----------------------------------------------------------------


def _quotes() -> list[Quote]:
    document = Document(
        "res", "/x/res.pdf", "0" * 64, "A/RES/75/1", "T", None, DocumentKind.RESOLUTION, 2
    )
    return [
        Quote(
            Hit(Paragraph("res", str(n), ParagraphKind.OPERATIVE, text, order=n), document, 1.0),
            ((0, len(text)),),
        )
        for n, text in enumerate([FORUM, REPORT], start=1)
    ]


def test_only_sentences_the_cited_paragraphs_state_are_kept() -> None:
    judge = ScriptedJudge(verdicts={SUPPORTED: 0.9, OVERSTATED: 0.2}, replies={QUESTION: REPLY})
    steps = list(Summarizer(judge).steps(QUESTION, _quotes(), "en"))
    summary = steps[-1]
    assert [s.english for s in summary.sentences] == [f"{SUPPORTED}."]
    assert summary.sentences[0].paragraph_ids == (_quotes()[0].paragraph.id,)
    # Lisbon and 2031 are in no paragraph; the model says the paragraph does not state the
    # funding; "It has no end date." cites nothing (two paragraphs were quoted).
    assert summary.removed == 3
    assert not summary.partial and summary.notice is None
    assert [s.partial for s in steps] == [True, False]
    # The invented sentence never reached the model's check.
    assert not any(INVENTED in chat[-1]["content"] for chat in judge.chats[1:])


def test_a_sentence_may_not_name_a_document_it_does_not_cite() -> None:
    """Two documents' paragraphs are read; a sentence that says the other document says
    something is left out, however true of the one it cites."""
    about_both = "The compact and the resolution both say the Forum is permanent"
    judge = ScriptedJudge({about_both: 0.9}, replies={QUESTION: f"{about_both} [1]."})
    named = {"compact": "A/RES/79/1", "resolution": "A/RES/75/1"}

    def documents_named(sentence: str) -> list[str]:
        return [symbol for word, symbol in named.items() if word in sentence]

    summary = Summarizer(judge, named_documents=documents_named).summarize(
        QUESTION, _quotes(), "en"
    )
    assert summary.sentences == () and summary.removed == 1
    # Without the linker, "the compact" is still no resolution the paragraph is from.
    alone = Summarizer(judge).summarize(QUESTION, _quotes(), "en")
    assert alone.sentences == () and alone.removed == 1
    # A document the cited paragraph itself names may be named.
    named["Forum"] = "A/RES/61/16"
    forum = "The Forum is made a permanent forum of the United Nations"
    judge = ScriptedJudge({forum: 0.9}, replies={QUESTION: f"{forum} [1]."})
    summary = Summarizer(judge, named_documents=documents_named).summarize(
        QUESTION, _quotes(), "en"
    )
    assert [s.english for s in summary.sentences] == [f"{forum}."]


OUTCOME = Document(
    "outcome",
    "/x/outcome.pdf",
    "0" * 64,
    "A/RES/80/173",
    "80/173. Outcome document of the high-level meeting of the General Assembly on the overall "
    "review of the implementation of the outcomes of the World Summit on the Information Society",
    "19 December 2025",
    DocumentKind.RESOLUTION,
    20,
    datetime.date(2025, 12, 19),
)
ITU_INPUT = Document(
    "itu",
    "/x/itu.pdf",
    "0" * 64,
    None,
    "Input to the WSIS+20 Zero Draft (International Telecommunication Union)",
    None,
    DocumentKind.SUBMISSION,
    5,
)


def _quote(document: Document, text: str) -> Quote:
    paragraph = Paragraph(document.doc_id, "5", ParagraphKind.OPERATIVE, text, order=5)
    return Quote(Hit(paragraph, document, 1.0), ((0, len(text)),))


@pytest.mark.parametrize(
    ("sentence", "source", "unsourced"),
    [
        ("The privacy resolution calls upon States to respect privacy.", "outcome", True),
        ("ITU's submission calls upon States to respect privacy.", "outcome", True),
        ("ITU's submission proposes stronger facilitators.", "itu", False),
        ("The Zero Draft input proposes stronger facilitators.", "itu", False),
        ("The resolution proposes stronger facilitators.", "itu", True),
        ("The outcome document calls upon States to respect privacy.", "outcome", False),
        ("The WSIS+20 outcome document calls upon States.", "outcome", False),
        ("The General Assembly resolution calls upon States.", "outcome", False),
        ("The 2025 resolution calls upon States.", "outcome", False),
        ("The 2024 resolution calls upon States.", "outcome", True),
        ("In its resolution, the Assembly calls upon States.", "outcome", False),
        ("The Assembly recalls the Geneva Declaration.", "outcome", False),
    ],
)
def test_a_sentence_speaks_only_of_the_documents_it_cites(
    sentence: str, source: str, unsourced: bool
) -> None:
    """A document a sentence speaks of must be the cited paragraph's own (by kind, subject,
    author or year), or one that paragraph names in the same words."""
    texts = {
        "outcome": (
            OUTCOME,
            "Recalls the Geneva Declaration of Principles, and calls upon States to respect "
            "the right to privacy.",
        ),
        "itu": (ITU_INPUT, "ITU proposes stronger action line facilitators."),
    }
    assert bool(unsourced_documents(sentence, [_quote(*texts[source])])) == unsourced


CSTD_REPORT = Document(
    "cstd",
    "/x/cstd.pdf",
    "0" * 64,
    "E/2025/31-E/CN.16/2025/4",
    "Commission on Science and Technology for Development, Report on the twenty-eighth session",
    None,
    DocumentKind.REPORT,
    40,
)
EVENT = "Notes the holding of the Event in Geneva, and looks forward to the next Event in 2025;"
ADOPTED = "The Commission also adopted a draft decision on the Gender Advisory Board by a vote."
ROTATES = "We decide that the Chair of the Group shall rotate annually among the regions."
BIENNIAL = (
    "We request the Secretary-General to submit a biennial report, and request that the "
    "Commission consider the report in line with this biennial cycle."
)


@pytest.mark.parametrize(
    ("sentence", "source", "text", "part", "wrong"),
    [
        # A draft a report carries speaks for the organ that is to adopt it.
        (
            "The Commission on Science and Technology for Development looks forward to the next "
            "Event.",
            CSTD_REPORT,
            EVENT,
            "Draft resolution I",
            True,
        ),
        (
            "The Economic and Social Council looks forward to the next Event.",
            CSTD_REPORT,
            EVENT,
            "Draft resolution I",
            False,
        ),
        # The report's own paragraphs are its author's, named in its title.
        (
            "The Commission on Science and Technology for Development adopted a draft decision.",
            CSTD_REPORT,
            ADOPTED,
            None,
            False,
        ),
        (
            "The General Assembly decides that the Chair of the Group shall rotate.",
            OUTCOME,
            ROTATES,
            None,
            False,
        ),
        ("The Group will rotate annually among the regions.", OUTCOME, ROTATES, None, True),
        ("The Chair of the Group will rotate annually.", OUTCOME, ROTATES, None, False),
        (
            "The Secretary-General will submit a biennial report, and request that the Commission "
            "consider it.",
            OUTCOME,
            BIENNIAL,
            None,
            True,
        ),
        ("The Secretary-General is to submit a biennial report.", OUTCOME, BIENNIAL, None, False),
        (
            "Yes, the Secretary-General will submit a biennial report.",
            OUTCOME,
            BIENNIAL,
            None,
            False,
        ),
        (
            "The International Telecommunication Union proposes stronger facilitators.",
            ITU_INPUT,
            "We propose stronger action line facilitators.",
            None,
            False,
        ),
        (
            "The Internet Society proposes stronger facilitators.",
            ITU_INPUT,
            "We propose stronger action line facilitators.",
            None,
            True,
        ),
        (
            "The WSIS+20 outcome document decides that the Chair shall rotate.",
            OUTCOME,
            ROTATES,
            None,
            False,
        ),
    ],
)
def test_who_acts_is_who_speaks_or_whom_the_paragraph_lets_act(
    sentence: str, source: Document, text: str, part: str | None, wrong: bool
) -> None:
    """The subject of a sentence must be the paragraph's speaker (the organ adopting it, a
    submission's author), or someone the paragraph names as more than what something is of,
    and someone it asks to act may not be said to ask."""
    paragraph = Paragraph(source.doc_id, "7", ParagraphKind.OPERATIVE, text, part=part, order=7)
    quote = Quote(Hit(paragraph, source, 1.0), ((0, len(text)),))
    assert bool(misattributed(sentence, [quote])) == wrong


def test_a_sentence_made_by_someone_else_is_not_kept() -> None:
    asked = "The Secretary-General will submit a report every two years, and request the Forum"
    judge = ScriptedJudge({SUPPORTED: 0.9, asked: 0.95}, replies={QUESTION: f"{asked} [2]."})
    summary = Summarizer(judge).summarize(QUESTION, _quotes(), "en")
    assert summary.sentences == () and summary.removed == 1
    assert len(judge.chats) == 1  # left out before the model is asked


def test_the_model_is_told_where_each_paragraph_is_from() -> None:
    """By citation, kind and, for a document known by its symbol, title: so it can say which
    document says what."""
    assert source_line(_quote(OUTCOME, "Text.")) == (
        "A/RES/80/173, para. 5 (resolution: 80/173. Outcome document of the high-level meeting "
        "of the General Assembly on the …; speaker: the General Assembly)"
    )
    assert source_line(_quote(ITU_INPUT, "Text.")) == (
        f"{ITU_INPUT.title}, para. 5 (submission; speaker: International Telecommunication Union)"
    )


def test_a_sentence_that_leans_on_one_left_out_goes_too() -> None:
    also = "It also has a secretariat funded from the regular budget"
    reply = f"{INVENTED} [1]. {also} [1]. {SUPPORTED} [1]. {also} [1]."
    judge = ScriptedJudge({**VERDICTS, also: 0.9}, replies={QUESTION: reply})
    summary = Summarizer(judge).summarize(QUESTION, _quotes(), "en")
    assert [s.english for s in summary.sentences] == [f"{SUPPORTED}.", f"{also}."]
    assert summary.removed == 2


def test_a_model_that_fails_gives_no_short_answer_and_says_why() -> None:
    judge = ScriptedJudge(failure=JudgeFailed("the reader server at http://127.0.0.1:9 is down"))
    summary = Summarizer(judge).summarize(QUESTION, _quotes(), "fr")
    assert summary.sentences == ()
    assert summary.notice is not None and "127.0.0.1:9" in summary.notice
    assert summary.notice.startswith("Aucune réponse courte")


def test_nothing_passing_is_said_plainly() -> None:
    judge = ScriptedJudge({**VERDICTS, SUPPORTED: 0.1}, replies={QUESTION: REPLY})
    summary = Summarizer(judge).summarize(QUESTION, _quotes(), "en")
    assert summary.sentences == () and summary.removed == 4
    assert summary.notice == VOICES["en"].summary_failed.format(
        reason="no sentence the model wrote is stated by the paragraphs it cites"
    )


def test_sentences_are_put_into_the_question_language_after_the_check() -> None:
    french = (
        "Le Forum sur la gouvernance de l'Internet devient un forum permanent des Nations Unies."
    )
    judge = ScriptedJudge(
        verdicts={SUPPORTED: 0.9},
        replies={QUESTION: f"{SUPPORTED} [1].", f"<sentence>\n{SUPPORTED}.": french},
    )
    summary = Summarizer(judge).summarize(QUESTION, _quotes(), "fr")
    assert [(s.text, s.english) for s in summary.sentences] == [(french, f"{SUPPORTED}.")]
    translation = judge.chats[-1][-1]["content"]
    assert "French" in translation
    assert "Internet Governance Forum = Forum sur la gouvernance de l'Internet" in translation


def test_a_reply_that_is_no_translation_is_not_shown() -> None:
    """Asked to translate, a small model may ask for the text instead: a reply without the
    official names it was given is not shown, the checked English sentence is."""
    judge = ScriptedJudge(
        {SUPPORTED: 0.9},
        replies={
            QUESTION: f"{SUPPORTED} [1].",
            f"<sentence>\n{SUPPORTED}.": "Por favor, proporciona el texto a traducir.",
        },
    )
    summary = Summarizer(judge).summarize(QUESTION, _quotes(), "es")
    assert [s.text for s in summary.sentences] == [f"{SUPPORTED}."]


def test_the_list_of_official_names_given_back_is_not_shown() -> None:
    french = "Forum sur la gouvernance de l'Internet"
    listed = f"{french} = {french}; Nations Unies = Nations Unies"
    judge = ScriptedJudge(
        {SUPPORTED: 0.9},
        replies={QUESTION: f"{SUPPORTED} [1].", f"<sentence>\n{SUPPORTED}.": f"{listed}."},
    )
    summary = Summarizer(judge).summarize(QUESTION, _quotes(), "fr")
    assert [s.text for s in summary.sentences] == [f"{SUPPORTED}."]


def test_a_translation_that_loses_a_number_is_not_shown() -> None:
    said = "The Secretary-General reports every 2 years on the work of the Forum"
    judge = ScriptedJudge(
        verdicts={said: 0.9},
        replies={
            QUESTION: f"{said} [2].",
            f"<sentence>\n{said}.": "El Secretario General informa.",
        },
    )
    quotes = _quotes()
    quotes[1] = Quote(
        Hit(
            Paragraph("res", "2", ParagraphKind.OPERATIVE, REPORT.replace("two", "2"), order=2),
            quotes[1].hit.document,
            1.0,
        ),
        quotes[1].spans,
    )
    summary = Summarizer(judge).summarize(QUESTION, quotes, "es")
    assert [s.text for s in summary.sentences] == [f"{said}."]


# --- Through the assistant and every rendering ------------------------------------------------


def _assistant(tmp_path: Path, judge: ScriptedJudge | None) -> Assistant:
    document = Document(
        "res", "/x/res.pdf", "0" * 64, "A/RES/75/1", "T", None, DocumentKind.RESOLUTION, 2
    )
    paragraphs = tuple(
        Paragraph("res", str(n), ParagraphKind.OPERATIVE, text, order=n)
        for n, text in enumerate([FORUM, REPORT, ARCHIVE], start=1)
    )
    reader = (
        Reader(WordOverlapScorer(), judge, ReaderCalibration(unsure=(0.0, 0.0)))
        if judge is not None
        else None
    )
    settings = Settings(index_dir=tmp_path, reader="local" if judge else "none")
    return Assistant(
        settings,
        store=MemoryStore([ParsedDocument(document, paragraphs)]),
        embedder=WordHashEmbedder(),
        reader=reader,
    )


def test_a_short_answer_comes_before_the_quotes_in_every_rendering(tmp_path: Path) -> None:
    judge = ScriptedJudge(VERDICTS, replies={QUESTION: REPLY})
    answer = _assistant(tmp_path, judge).ask(QUESTION, style="summary")
    assert answer.summary is not None and len(answer.summary.sentences) == 1
    assert "summarize" in answer.timings_ms
    cited = f"{SUPPORTED}. (A/RES/75/1, para. 1)"
    text = render.answer_plain(answer)
    assert text.startswith(cited)
    assert VOICES["en"].summary_removed.format(removed=3) in text
    assert text.index(cited) < text.index("“Decides that")
    assert "Lisbon" not in text
    html = render.answer_html(answer)
    assert VOICES["en"].summary in html and SUPPORTED in html
    assert html.index(SUPPORTED) < html.index("<blockquote")
    assert f"## {VOICES['en'].summary}" in render.answer_markdown(answer)
    data = render.answer_json(answer)
    check_answer_json(data)
    assert data["summary"]["sentences"][0]["citations"] == ["A/RES/75/1, para. 1"]
    assert data["summary"]["removed"] == 3


def test_quotes_stay_the_default_and_an_unknown_style_is_refused(tmp_path: Path) -> None:
    judge = ScriptedJudge(VERDICTS, replies={QUESTION: REPLY})
    assistant = _assistant(tmp_path, judge)
    answer = assistant.ask(QUESTION)
    assert answer.summary is None and render.answer_json(answer)["summary"] is None
    with pytest.raises(InvalidQuestion, match="no answer style 'essay'"):
        assistant.ask(QUESTION, style="essay")


def test_without_a_reader_the_quotes_come_with_a_notice(tmp_path: Path) -> None:
    answer = _assistant(tmp_path, None).ask(QUESTION, style="summary")
    assert not answer.abstained and answer.quotes
    assert answer.summary is not None and answer.summary.sentences == ()
    assert "reader: none" in (answer.summary.notice or "")
    assert answer.summary.notice in render.answer_plain(answer)


def test_the_app_shows_the_quotes_first_then_each_sentence_as_it_passes(tmp_path: Path) -> None:
    judge = ScriptedJudge(VERDICTS, replies={QUESTION: REPLY})
    views = list(ask_views(_assistant(tmp_path, judge), QUESTION, style="summary"))
    assert len(views) == 3  # the quotes, the sentence that passed, the whole answer
    assert SUPPORTED not in views[0].html and "“Decides that" in views[0].html
    assert SUPPORTED in views[1].html and views[1].markdown_file is None
    assert views[-1].markdown_file is not None and views[-1].csv_file is not None
    assert views[-1].data["summary"]["removed"] == 3


# --- The real model ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.corpus
def test_the_bundled_model_writes_a_short_answer_that_cites_what_it_quotes(
    full_assistant: Assistant,
) -> None:
    answer = full_assistant.ask(
        "What does the WSIS+20 outcome document say about protecting journalists?",
        style="summary",
    )
    assert answer.summary is not None, answer.notice
    assert answer.summary.sentences, answer.summary.notice
    check_answer_json(render.answer_json(answer))
    cited = {q.paragraph.id: q.paragraph.text for q in answer.quotes}
    for sentence in answer.summary.sentences:
        sources = [cited[i] for i in sentence.paragraph_ids]
        assert missing_names(sentence.english, sources, answer.question) == ()
    said = " ".join(s.english for s in answer.summary.sentences).lower()
    assert "journalist" in said or "media" in said, said
