"""The five keys of quality assessment, pure: what a common assessment is checked against, and when a check is
complete.

The keys are those of Chappuis, Stiggins, Chappuis & Arter, *Classroom Assessment for Student Learning* (Pearson),
which the Missouri PLC fact sheets name for every team's assessments ("Use the five keys to develop quality
assessments"); the questions are PLC Suite's short form.
"""

from __future__ import annotations

from typing import Literal

Rating = Literal["not met", "partly met", "met"]
RATINGS: tuple[Rating, ...] = ("not met", "partly met", "met")

KEYS: dict[str, tuple[str, str]] = {
    "clear_purpose": ("Clear purpose", "Who will use the results, and for what decision?"),
    "clear_targets": (
        "Clear targets",
        "Are the learning targets clear, and tied to the essential standards?",
    ),
    "sound_design": (
        "Sound design",
        "Does the method fit each target, with enough items per target and no bias or distraction?",
    ),
    "effective_communication": (
        "Effective communication",
        "Are results reported by target, in time, in a way students and teachers can act on?",
    ),
    "student_involvement": (
        "Student involvement",
        "Do students know the targets, track their own learning and set goals from the results?",
    ),
}


def needs_note(rating: str, note: str) -> bool:
    """A key not fully met says what the team will change (a rating alone would not tell it what to fix)."""
    return rating != "met" and not note.strip()


def is_checked(rated: set[str]) -> bool:
    """An assessment is quality-checked when all five keys are rated."""
    return rated >= set(KEYS)
