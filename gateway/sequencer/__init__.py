"""STAGE 3, the single writer of the log: group commit (`group_commit`), one transaction
per batch (`commit`), the replicas' advisory lock (`lock`), commit listeners (`hooks`), and
the dead-letter record for what it refuses (`rejections`)."""

from gateway.sequencer.group_commit import Sequencer
from gateway.sequencer.hooks import BatchObserver, CommitListener
from gateway.sequencer.lock import POSTGRES_LOG_LOCK
from gateway.sequencer.rejections import (
    NORMALIZED,
    DeadLetter,
    PayloadSealer,
    store_dead_letters,
)
from gateway.sequencer.submission import Outcome, PersonalDataStore, Submission

__all__ = [
    "NORMALIZED",
    "POSTGRES_LOG_LOCK",
    "BatchObserver",
    "CommitListener",
    "DeadLetter",
    "Outcome",
    "PayloadSealer",
    "PersonalDataStore",
    "Sequencer",
    "Submission",
    "store_dead_letters",
]
