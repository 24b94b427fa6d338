"""STAGE 3, the single writer of the log: group commit, advisory lock, commit hooks."""

from gateway.sequencer.commit import (
    POSTGRES_LOG_LOCK,
    BatchObserver,
    CommitListener,
    Outcome,
    PersonalDataStore,
    Sequencer,
    Submission,
    touch_sources,
)

__all__ = [
    "POSTGRES_LOG_LOCK",
    "BatchObserver",
    "CommitListener",
    "Outcome",
    "PersonalDataStore",
    "Sequencer",
    "Submission",
    "touch_sources",
]
