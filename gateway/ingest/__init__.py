"""STAGE 2, one path for every source: the HTTP endpoints (`http`), the idempotency store,
the pipeline (translate -> validate -> dead-letter -> link/park -> submit -> answer), linking
and parking, dead-letter listing and replay."""

from gateway.ingest.answers import CLOUDEVENTS_ANSWER, CONNECTOR_ANSWER, AnswerStyle
from gateway.ingest.deadletters import list_dead_letters, record_attempt
from gateway.ingest.http import ingest_events, ingest_from_connector
from gateway.ingest.idempotency import IdempotencyStore, KeyReused, StoredAnswer, fingerprint
from gateway.ingest.linking import Releaser
from gateway.ingest.pipeline import NotCommitted, ingest
from gateway.ingest.ports import IngestPorts
from gateway.ingest.replay import ReplayReport, replay_dead_letters
from gateway.ingest.sources import (
    Checked,
    Checks,
    Source,
    cloudevents_source,
    connector_source,
    normalized_source,
    translate,
)

__all__ = [
    "CLOUDEVENTS_ANSWER",
    "CONNECTOR_ANSWER",
    "AnswerStyle",
    "Checked",
    "Checks",
    "IdempotencyStore",
    "IngestPorts",
    "KeyReused",
    "NotCommitted",
    "Releaser",
    "ReplayReport",
    "Source",
    "StoredAnswer",
    "cloudevents_source",
    "connector_source",
    "fingerprint",
    "ingest",
    "ingest_events",
    "ingest_from_connector",
    "list_dead_letters",
    "normalized_source",
    "record_attempt",
    "replay_dead_letters",
    "translate",
]
