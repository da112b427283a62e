"""Where a topic is covered: every paragraph about it, grouped by document in document order
(:mod:`.finding`), and the matrix of the WSIS action lines and other themes against the
documents (:mod:`.matrix`)."""

from assistant.coverage.finding import (
    DEFAULT_COVERAGE_THRESHOLD,
    TOPIC_CALIBRATION,
    Method,
    TopicCalibration,
    coverage,
)
from assistant.coverage.matrix import Matrix, UnknownTheme, matrix
from assistant.coverage.results import Coverage, CoverageGroup, CoverageMatch
from assistant.coverage.themes import InvalidThemes, Theme, Themes, load_themes

__all__ = [
    "DEFAULT_COVERAGE_THRESHOLD",
    "TOPIC_CALIBRATION",
    "Coverage",
    "CoverageGroup",
    "CoverageMatch",
    "InvalidThemes",
    "Matrix",
    "Method",
    "Theme",
    "Themes",
    "TopicCalibration",
    "UnknownTheme",
    "coverage",
    "load_themes",
    "matrix",
]
