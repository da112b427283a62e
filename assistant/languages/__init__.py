"""Questions in the six UN languages: which language a question is in
(:mod:`~assistant.languages.detection`), the UN names of each language in English
(:mod:`~assistant.languages.glossary`, data in ``glossaries/``) and the question put into
English for the English documents (:mod:`~assistant.languages.translation`)."""

from assistant.languages.detection import ENGLISH, LANGUAGE_NAMES, LANGUAGES, LanguageDetector
from assistant.languages.glossary import Glossary, Term, load_glossary
from assistant.languages.translation import ModelTranslator, Translation, Translator

__all__ = [
    "ENGLISH",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "Glossary",
    "LanguageDetector",
    "ModelTranslator",
    "Term",
    "Translation",
    "Translator",
    "load_glossary",
]
