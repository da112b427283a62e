"""Retrieval, citation choice and abstention: pure functions on small hand-computed cases,
then the same behaviour on the real index (``full_assistant``)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from fakes import MemoryStore, WordHashEmbedder

from assistant import render
from assistant.answering import AbstentionPolicy, ExtractiveAnswerer, asks_where
from assistant.answers import Hit
from assistant.catalog import Catalog
from assistant.references import (
    NamedDocument,
    NamedSeries,
    NamedSubject,
    month_year_mentions,
    named_documents,
    named_series,
    named_subjects,
    spelled_out_in_place,
    un_wording,
    without_document_names,
)
from assistant.retrieval import fusion
from assistant.retrieval.facts import Fact, asked_fact, mentions, states
from assistant.retrieval.fusion import HybridRetriever, RetrievalTrace, named_first
from assistant.retrieval.lexical import LexicalIndex
from corpus.model import Document, DocumentKind, Paragraph, ParagraphKind, ParsedDocument
from eval.calibrate import Evidence, best_policy
from eval.testset import GoldItem, TestItem

ICT = "Information and communications technologies for sustainable development"


def document(doc_id: str, symbol: str | None = None) -> Document:
    return Document(
        doc_id, f"{doc_id}.pdf", "0" * 64, symbol, None, None, DocumentKind.RESOLUTION, 1
    )


def paragraph(doc_id: str, label: str, text: str, order: int = 0) -> Paragraph:
    return Paragraph(
        doc_id=doc_id,
        label=label,
        kind=ParagraphKind.OPERATIVE,
        text=text,
        part=None,
        section="",
        page_start=1,
        page_end=1,
        char_start=0,
        char_end=len(text),
        order=order,
    )


def hit(doc_id: str, label: str, score: float) -> Hit:
    return Hit(paragraph(doc_id, label, f"{doc_id} {label}"), document(doc_id, doc_id), score)


# --- Names, dates and wording in questions ---------------------------------------------------


def test_recurring_resolutions_are_named_by_title_and_year() -> None:
    assert named_series("How did the ICT resolutions change between 2023 and 2025?") == [
        NamedSeries(ICT, None)
    ]
    assert named_series("What does the 2025 ICT resolution say?") == [NamedSeries(ICT, 2025)]
    assert named_series("Does the 2024 resolution on ICTs for sustainable development ...?") == [
        NamedSeries(ICT, 2024)
    ]
    assert named_series("How did the 2023 and 2025 ICT resolutions differ?") == [
        NamedSeries(ICT, 2023),
        NamedSeries(ICT, 2025),
    ]
    assert named_series("Compare the 2023, 2024 and the 2025 ICT resolutions") == [
        NamedSeries(ICT, 2023),
        NamedSeries(ICT, 2024),
        NamedSeries(ICT, 2025),
    ]
    assert named_series("What do the STI resolutions ask for?")[0].title.startswith("Science")
    assert named_series("What does the Pact say about ICT?") == []
    # A series is not a single document, and its name is not part of the topic.
    assert named_documents("What does the 2025 ICT resolution say about AI?") == []
    assert without_document_names("What does the 2025 ICT resolution say about AI?") == (
        "What does the say about AI?"
    )
    assert named_documents("the 2025 ICT resolution and the Pact") == [NamedDocument("A/RES/79/1")]


def test_month_and_year_mentions() -> None:
    assert month_year_mentions("In December 2023, how did the Assembly ...") == [(2023, 12)]
    assert month_year_mentions("adopted in march 2025 and May 2024") == [(2025, 3), (2024, 5)]
    assert month_year_mentions("by 2030") == []


@pytest.mark.parametrize(
    ("question", "read_as"),
    [
        (
            "Will the IGF become permanent?",
            "Will the Internet Governance Forum (IGF) become permanent?",
        ),
        (
            "Does the GDC ask the IGF? And the IGF's MAG?",
            "Does the Global Digital Compact (GDC) ask the Internet Governance Forum (IGF)? "
            "And the IGF's MAG?",
        ),
        (
            "Which SDGs, and SDG 9?",
            "Which Sustainable Development Goals (SDGs), and Sustainable Development Goal (SDG) 9?",
        ),
        (
            "The Internet Governance Forum (IGF) mandate",
            "The Internet Governance Forum (IGF) mandate",
        ),
    ],
)
def test_an_acronym_is_spelled_out_where_it_stands(question: str, read_as: str) -> None:
    """As UN texts introduce one: the name first, the acronym after it, at its first use only,
    and not again where the question spells it out itself."""
    assert spelled_out_in_place(question) == read_as


def test_plain_words_get_un_wording() -> None:
    assert un_wording("Is yearly funding cheap?") == ["financing", "annual", "affordable"]
    assert un_wording("Could NGOs take the floor?") == [
        "non-governmental organizations civil society",
        "speak",
    ]
    assert un_wording("What about the online world?") == ["Internet"]
    assert un_wording("fundings") == []


def test_where_questions() -> None:
    assert asks_where("Where does the outcome document deal with gender?")
    assert asks_where("In which paragraphs is financing addressed?")
    assert not asks_where("What does the outcome say about where the IGF meets?")
    assert asks_where("Which Global Digital Compact paragraphs cover connectivity?")
    assert asks_where("Which paragraphs of A/RES/80/173 deal with the environment?")
    # Asking what a paragraph says, or where something meets, is not asking where it is covered.
    assert not asks_where("Which paragraphs of the outcome say that the Forum is permanent?")
    assert not asks_where("Where will the Global Dialogue on AI Governance be held?")
    assert not asks_where("Where and when was the World Radiocommunication Conference held?")
    assert not asks_where("Where, and with which co-host, will the next Forum be organized?")
    assert asks_where("Where is the gender digital divide mentioned in the Compact?")
    assert asks_where("Where do the texts talk about spectrum?")
    assert not asks_where("Which parts of the world are least connected?")


# --- Lexical evidence --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_lexical() -> LexicalIndex:
    docs = {"d": document("d", "A/RES/1/1")}
    texts = [
        "broadband costs are affordable for all",
        "broadband reaches all schools now",
        "schools need trained teachers now",
    ]
    paragraphs = {p.id: p for p in (paragraph("d", str(i + 1), t, i) for i, t in enumerate(texts))}
    return LexicalIndex(Catalog(docs, paragraphs, {"d": list(paragraphs.values())}))


def test_best_cover_is_the_largest_idf_share_one_paragraph_holds(tiny_lexical) -> None:
    index = tiny_lexical
    idf = {t: index.idf(t) for t in ("broadband", "afford", "school", "teacher")}
    # df: broadband 2, afford 1, school 2, teacher 1 of 3 paragraphs (symbol "A/RES/1/1" too).
    assert math.isclose(idf["afford"], math.log(1 + 2.5 / 1.5))
    assert math.isclose(idf["broadband"], math.log(1 + 1.5 / 2.5))
    held = index.best_cover(["broadband", "afford", "school"])
    total = idf["broadband"] + idf["afford"] + idf["school"]
    assert math.isclose(held, (idf["broadband"] + idf["afford"]) / total, rel_tol=1e-6)
    # A word the corpus lacks counts at the highest idf and is never held.
    rarest = math.log(1 + 3.5 / 0.5)
    assert math.isclose(
        index.best_cover(["teacher", "kenya"]),
        idf["teacher"] / (idf["teacher"] + rarest),
        rel_tol=1e-6,
    )
    only_first = np.array([True, False, False])
    assert math.isclose(index.best_cover(["school", "teacher"], only_first), 0.0, abs_tol=1e-9)
    assert index.best_cover([]) == 0.0


def test_lexical_scores_weigh_terms(tiny_lexical) -> None:
    plain, ceiling = tiny_lexical.scores(["broadband", "afford"])
    weighted, double_ceiling = tiny_lexical.scores({"broadband": 2.0, "afford": 2.0})
    assert np.allclose(weighted, 2 * plain)
    assert math.isclose(double_ceiling, 2 * ceiling, rel_tol=1e-6)
    assert plain.argmax() == 0


def test_bm25_scores_match_the_bm25s_retriever(full_assistant) -> None:
    """Scores are summed from the index's postings directly; bm25s scores the same."""
    lexical = full_assistant.retriever.lexical
    tokens = lexical.tokens("Internet Governance Forum permanent secretariat financing")
    ours, _ = lexical.scores(tokens)
    theirs = lexical.retriever.get_scores(tokens)
    assert np.allclose(ours, theirs, rtol=1e-5, atol=1e-6) and ours.max() > 0


def test_paragraphs_of_documents(full_assistant) -> None:
    lexical = full_assistant.retriever.lexical
    some = sorted(set(lexical.doc_ids.tolist()))[:3]
    assert (lexical.in_documents(some) == np.isin(lexical.doc_ids, some)).all()
    assert not lexical.in_documents(["no-such-document"]).any()
    assert not lexical.in_documents([]).any()


def test_best_rows_are_the_top_scores_in_order() -> None:
    from assistant.retrieval.fusion import _best_rows

    rng = np.random.default_rng(3)
    scores = rng.integers(0, 20, size=500).astype(np.float32)  # many ties
    scores[7] = -np.inf
    for k in (1, 10, 30, 499, 500, 800):
        rows = _best_rows(scores, k)
        assert len(rows) == min(k, 500)
        assert (np.diff(scores[rows]) <= 0).all()
        assert (scores[rows] == np.sort(scores)[::-1][: len(rows)]).all()


def test_named_documents_are_scored_whole(tiny_lexical, monkeypatch) -> None:
    paragraphs = tiny_lexical.paragraphs
    k0, k1, _ = (p.id for p in paragraphs)
    parsed = ParsedDocument(document("d", "A/RES/1/1"), tuple(paragraphs))
    store = MemoryStore([parsed], pieces={k0: [[1.0, 0.0]], k1: [[0.0, 2.0], [3.0, 4.0]]})
    catalog = Catalog.from_store(store)
    retriever = HybridRetriever(store, catalog, WordHashEmbedder())
    monkeypatch.setattr(fusion, "NAMED_CANDIDATES", 2)
    dense, floors = np.zeros(3, dtype=np.float32), np.zeros(3, dtype=np.float32)
    retriever._score_named(["d"], np.array([0.6, 0.8], dtype=np.float32), dense, floors)
    # Unit pieces: k0 (1, 0) -> 0.6; k1 (0, 1) -> 0.8 and (0.6, 0.8) -> 1.0. The two nearest
    # pieces are both k1's, so the floor is 0.8 and k0 and k2 sit on it.
    assert np.allclose(dense, [0.8, 1.0, 0.8]) and np.allclose(floors, 0.8)
    retriever._score_named(["d", "empty"], np.array([0.6, 0.8], dtype=np.float32), dense, floors)
    assert store.piece_reads == ["d", "empty"]  # each document is read from the store once


# --- Ranking and citing ------------------------------------------------------------------------


def test_named_first_moves_up_the_best_of_each_named_document() -> None:
    hits = [hit("x", "1", 0.9), hit("a", "1", 0.8), hit("x", "2", 0.7), hit("b", "1", 0.6)]
    reordered = named_first(hits, ["b", "a"])
    assert [(h.paragraph.doc_id, h.score) for h in reordered] == [
        ("a", 0.8),
        ("b", 0.6),
        ("x", 0.9),
        ("x", 0.7),
    ]
    # Direct references stay in front.
    assert named_first(hits, ["b"], after=1)[:2] == [hits[0], hits[3]]


def test_citations_adapt_to_the_question() -> None:
    answerer = ExtractiveAnswerer()
    hits = [hit("a", "1", 1.0), hit("a", "2", 0.85), hit("a", "3", 0.8), hit("b", "9", 0.72)]
    trace = RetrievalTrace()
    assert len(answerer.select(hits, trace, "What does it say?")) == 2
    assert len(answerer.select(hits, trace, "Where is it covered?")) == 3
    two = RetrievalTrace(named=[NamedDocument("a"), NamedDocument("b")])
    assert [h.paragraph.doc_id for h in answerer.select(hits, two, "How do a and b ...?")] == [
        "a",
        "a",
        "b",
    ]
    # Naming one document keeps the citations in it.
    one = RetrievalTrace(named=[NamedDocument("b")])
    assert [h.paragraph.doc_id for h in answerer.select(hits, one, "What does b say?")] == ["b"]
    assert answerer.select(hits, RetrievalTrace(direct=True), "paragraph 1 of a") == (hits[0],)


def test_abstention_evidence_is_linear_in_score_cover_and_an_unstated_fact() -> None:
    policy = AbstentionPolicy(
        bias=-3.0, top_score_weight=5.0, cover_weight=4.0, unstated_weight=-2.0
    )
    weak = RetrievalTrace(top_score=0.2, cover=0.4)
    strong = RetrievalTrace(top_score=0.5, cover=0.5)
    assert math.isclose(policy.evidence(weak), -3.0 + 1.0 + 1.6)
    assert math.isclose(policy.evidence(strong), 1.5)
    assert policy.abstains(weak) and not policy.abstains(strong)
    strong_but_unstated = RetrievalTrace(top_score=0.5, cover=0.5, unstated=1.0)
    assert math.isclose(policy.evidence(strong_but_unstated), -0.5)
    assert policy.abstains(strong_but_unstated)
    assert not policy.abstains(RetrievalTrace(top_score=0.0, cover=0.0, direct=True))


def test_calibration_fits_a_policy_that_separates_clear_cases() -> None:
    gold = (GoldItem(doc="A/RES/1/1", paragraph="1"),)
    evidence = []
    for i in range(12):
        answerable = i % 3 != 0
        item = TestItem(
            id=f"q{i}",
            question="q",
            kind="answerable" if answerable else "unanswerable",
            gold=gold if answerable else (),
        )
        high = 0.5 + 0.02 * i
        trace = RetrievalTrace(
            top_score=high if answerable else 0.15, cover=0.9 if answerable else 0.3
        )
        evidence.append(Evidence(item, trace, 1 if answerable else None))
    policy, f1, false_rate = best_policy(evidence)
    assert f1 == 1.0 and false_rate == 0.0
    assert policy.top_score_weight > 0 and policy.cover_weight > 0


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("How many experts sit on the new scientific panel on AI?", Fact.NUMBER),
        ("How much does Africa spend on research and development?", Fact.NUMBER),
        ("What share of women use the Internet compared with men?", Fact.NUMBER),
        ("When will the General Assembly next review the WSIS outcomes?", Fact.TIME),
        ("By when must the facilitators report on their road maps?", Fact.TIME),
        ("On which dates was the high-level meeting held?", Fact.TIME),
        ("Who must look into funding gaps, and when must they report?", Fact.TIME),
        ("How big is the gap between towns and the countryside?", Fact.NUMBER),
        ("What was the global average score in the index?", Fact.NUMBER),
        ("What minimum age do the commitments set for social media?", Fact.NUMBER),
        ("Who chaired the Commission's session last year?", Fact.PERSON),
        ("Who was appointed Envoy on Technology?", Fact.PERSON),
        ("Which two ambassadors will co-facilitate the negotiations?", Fact.PERSON),
        ("Who is the current Secretary-General of ITU?", Fact.PERSON),
        ("Which city will host the 2026 meeting of the Forum?", Fact.PLACE),
        ("Where will the Global Dialogue on AI Governance be held?", Fact.PLACE),
        ("In which country did the 2024 Forum take place?", Fact.PLACE),
        ("Who will host the next WSIS Forum?", Fact.PLACE),
        ("Where and on what dates will the session be held?", Fact.TIME),
        ("Where does the outcome document deal with the gender divide?", None),
        ("Which countries need particular attention?", None),
        ("Where is data governance covered, and which paragraphs?", None),
        ("Who is invited to support national e-strategies?", None),
        ("Who benefits from universal service funds?", None),
        ("Will the IGF become permanent?", None),
        ("How much progress has been made on the action lines?", None),
        ("How big a role does the private sector play?", None),
        ("When States adopt AI systems, what must they ensure?", None),
        ("What does the Compact say about when data may cross borders?", None),
        ("How does the outcome document treat artificial intelligence?", None),
    ],
)
def test_the_kind_of_fact_a_question_asks_for(question: str, fact: Fact | None) -> None:
    assert asked_fact(question) is fact


def test_numbers_that_name_are_not_facts_stated() -> None:
    naming = (
        "Recalls its resolutions 70/125 of 16 December 2015 and 79/1, paragraph 65 of "
        "A/RES/80/173 and Sustainable Development Goal 9, adopted at its 2025 session, "
        "in 2021–2025, at its eightieth session."
    )
    assert mentions(Fact.NUMBER, naming) == frozenset()
    counting = "comprising 40 members for a term of three years; 78 per cent of women"
    assert mentions(Fact.NUMBER, counting) == {"40", "three", "per cent", "78"}
    assert states(Fact.NUMBER, "$1.6 trillion is needed")
    assert not states(Fact.NUMBER, "Notes the work of the Commission.")


def test_times_are_years_months_and_sessions_the_question_does_not_give() -> None:
    assert states(Fact.TIME, "to report to the Commission at its thirtieth session")
    assert states(Fact.TIME, "to be held in Geneva in July")
    assert not states(Fact.TIME, "Notes the work of the Commission on its road maps.")
    asked = "When was the 2023 World Radiocommunication Conference held?"
    assert not states(Fact.TIME, "Notes the outcome of the 2023 Conference.", asked)
    assert states(Fact.TIME, "held from 20 November to 15 December 2023", asked)


def test_persons_are_named_with_a_title_a_country_or_after_an_office() -> None:
    assert mentions(Fact.PERSON, "the Rapporteur, Amina Diallo (Senegal), introduced it") == {
        "amina diallo (senegal)"
    }
    appointed = (
        "The Permanent Representative of Chile to the United Nations, Paula Narváez, and the "
        "Ambassador of Norway, Mona Juul, were appointed by the President."
    )
    assert mentions(Fact.PERSON, appointed) == {"paula narváez", "mona juul"}
    assert states(Fact.PERSON, "Statements were made by Ms. Diallo and Mr. Juul.")
    assert not states(
        Fact.PERSON, "Invites the President of the General Assembly to appoint two co-chairs."
    )
    assert not states(
        Fact.PERSON, "the United Nations Conference on Trade and Development (UNCTAD) and ITU"
    )
    assert not states(Fact.PERSON, "Ms. Diallo opened the session.", "When did Ms. Diallo speak?")


def test_places_are_countries_and_cities_where_something_is_held() -> None:
    held = "The nineteenth meeting was held in Riyadh, hosted by the Government of Saudi Arabia."
    assert mentions(Fact.PLACE, held) == {"riyadh", "saudi arabia"}
    assert mentions(Fact.PLACE, "convened at United Nations Headquarters in New York") == {
        "united nations headquarters",
        "new york",
    }
    assert states(Fact.PLACE, "Iraq:* draft resolution")
    # A city counts after a preposition ("in", "at", "by" ...) only; Member States and
    # regions are no place.
    assert not states(Fact.PLACE, "Nice progress; Mobile networks reach Member States.")
    assert not states(Fact.PLACE, "Decides to hold the Forum annually in developing regions.")
    asked = "Which city after Riyadh will host the Forum?"
    assert not states(Fact.PLACE, "The 2024 Forum was held in Riyadh.", asked)
    assert states(Fact.PLACE, "The 2025 Forum was held in Lillestrøm, Norway.", asked)


def test_paragraphs_stating_no_fact_of_the_kind_asked_lose_the_penalty() -> None:
    docs = {"d": document("d", "A/RES/1/1")}
    texts = ["the panel members serve in their personal capacity", "the panel has 40 members"]
    parsed = ParsedDocument(
        docs["d"], tuple(paragraph("d", str(i + 1), t, i) for i, t in enumerate(texts))
    )
    store = MemoryStore([parsed])
    retriever = HybridRetriever(store, Catalog.from_store(store), WordHashEmbedder())
    penalty = retriever.weights.unstated_fact_penalty
    assert penalty > 0

    def scores(question: str, unstated_fact_penalty: float) -> dict[str, float]:
        retriever.weights = replace(retriever.weights, unstated_fact_penalty=unstated_fact_penalty)
        return {h.paragraph.label: h.score for h in retriever.search(question, 2)}

    for question, unstated in [
        ("How many members serve on the panel?", {"1"}),
        ("By when will the panel members serve?", {"1", "2"}),
        ("Do members serve on the panel in their personal capacity?", set()),
    ]:
        plain, judged = scores(question, 0.0), scores(question, penalty)
        lost = {label for label in plain if not math.isclose(plain[label], judged[label])}
        assert lost == unstated, question
        assert all(math.isclose(plain[x] - judged[x], penalty, abs_tol=1e-6) for x in lost)
    trace = RetrievalTrace()
    retriever.search("By when will the panel members serve?", 2, trace=trace)
    assert trace.unstated == 1.0
    # Paragraphs a filter leaves out are not read for facts.
    retriever._facts.clear()
    signals = retriever.signals("How many members serve on the panel?")
    fused = retriever._penalise_unstated(np.array([-np.inf, 0.3]), signals, 12)
    assert fused[0] == -np.inf and [row for _, row in retriever._facts] == [1]


# --- On the real index ---------------------------------------------------------------------------


@pytest.mark.corpus
def test_every_searchable_paragraph_gets_a_dense_score(full_assistant) -> None:
    """Long paragraphs are embedded in pieces; each is found again under its index id."""
    retriever = full_assistant.retriever

    keys = [k for k, p in full_assistant.catalog.paragraphs.items() if p.searchable]
    assert all(k in retriever.lexical.position for k in keys)
    question = (
        "the Independent International Scientific Panel on Artificial Intelligence, "
        "40 members serving in their personal capacity for a term of three years"
    )
    signals = retriever.signals(question)
    establishing = next(
        p
        for p in full_assistant.catalog.by_doc["A_RES_79_325"]
        if p.label == "1" and p.kind is ParagraphKind.OPERATIVE
    )
    row = retriever.lexical.position[establishing.id]
    assert signals.dense[row] > signals.dense_floor[row]


@pytest.mark.corpus
def test_recurring_resolution_named_by_year(full_assistant) -> None:
    answer = full_assistant.ask(
        "What does the 2024 ICT resolution say about the Internet Governance Forum?"
    )
    assert answer.hits[0].document.symbol == "A/RES/79/194"
    assert {c.document.symbol for c in answer.citations} == {"A/RES/79/194"}
    assert "Internet Governance Forum" in render.answer_plain(answer)


def test_resolutions_are_named_by_year_and_subject() -> None:
    assert named_subjects("Does the 2024 AI resolution ask states to stop?") == [
        NamedSubject(2024, "AI")
    ]
    assert named_subjects("Does the 2025 resolution on human rights tell States") == [
        NamedSubject(2025, "human rights tell States")
    ]
    assert named_subjects("How do the 2023 and 2024 AI resolutions differ?") == [
        NamedSubject(2023, "AI"),
        NamedSubject(2024, "AI"),
    ]
    # A recurring title, a symbol or a common name already names the document.
    assert named_subjects("What does the 2025 ICT resolution say?") == []
    assert named_subjects("What does resolution 80/173 say about AI in 2025?") == []


@pytest.mark.corpus
def test_resolutions_named_by_year_and_subject(full_assistant) -> None:
    """One resolution fits "the 2025 resolution on human rights and digital technologies" and
    is searched as if named; three 2024 resolutions carry "artificial intelligence" in their
    titles, so "the 2024 AI resolution" favours them without naming any one."""
    retriever = full_assistant.retriever
    (rights,) = named_subjects(
        "Does the 2025 resolution on human rights and digital technologies tell governments "
        "not to interfere with encryption?"
    )
    assert [d.symbol for d in retriever.linker.subject_documents(rights)] == ["A/RES/80/215"]
    (ai,) = named_subjects("Does the 2024 AI resolution ask states to stop using AI systems?")
    assert [d.symbol for d in retriever.linker.subject_documents(ai)] == [
        "A/RES/78/265",
        "A/RES/78/311",
        "A/RES/79/239",
    ]
    answer = full_assistant.ask(
        "Does the 2024 AI resolution ask states to stop using AI systems that cannot comply "
        "with human rights law?"
    )
    assert answer.citations[0].citation == "A/RES/78/265, para. 5"


@pytest.mark.corpus
def test_a_named_document_is_searched_whole(full_assistant) -> None:
    """The Convention against Cybercrime's own 300 paragraphs fill the nearest neighbours of
    this question; the ICT resolution that welcomes it is still found."""
    answer = full_assistant.ask(
        "Does the 2025 resolution on ICTs for sustainable development acknowledge the new "
        "UN Convention against Cybercrime?"
    )
    assert answer.citations[0].citation == "A/RES/80/118, preambular para. 56"


@pytest.mark.corpus
def test_two_named_documents_are_both_quoted(full_assistant) -> None:
    answer = full_assistant.ask(
        "How do the WSIS+20 outcome and the Pact for the Future treat digital public "
        "infrastructure?"
    )
    assert {c.document.symbol for c in answer.citations} == {"A/RES/80/173", "A/RES/79/1"}


@pytest.mark.corpus
@pytest.mark.parametrize(
    "question",
    [
        "How much does a ticket to the next IGF cost?",
        "Which football club won the 2024 league title?",
    ],
)
def test_questions_the_documents_do_not_answer_are_refused(full_assistant, question) -> None:
    assert full_assistant.ask(question).abstained
