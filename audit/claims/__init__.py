"""The spaCy claim stage: sentences → claim / hedge / source → verdicts with rule ids.

``get_stage()`` returns the cached ``ClaimStage``; ``classify_lines`` backs ``skinaudit claims``.
"""

from audit.claims.stage import ClaimStage, classify_lines, get_stage

__all__ = ["ClaimStage", "classify_lines", "get_stage"]
