"""The broker can be RabbitMQ while dedup state and results stay in Redis (the machine's RabbitMQ)."""

from __future__ import annotations

import uuid

import pytest
from kombu import Connection, Queue
from support import WorkerProcess, wait_for_outcomes

from worker.client import Producer
from worker.config import Settings
from worker.core.contract import validate_envelope

pytestmark = pytest.mark.integration

RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672//"


def test_articles_flow_through_a_rabbitmq_broker(redis_server, redis_client):
    queue = f"eventwire-test-{uuid.uuid4().hex[:10]}"  # private: never touches anyone's queue
    settings = Settings(redis_url=redis_server.url, broker_url=RABBITMQ_URL, queue=queue)
    worker = WorkerProcess(settings, env={"EVENTWIRE_BROKER_URL": RABBITMQ_URL,
                                          "EVENTWIRE_QUEUE": queue}).start(redis_client)
    producer = Producer(settings)
    try:
        ids = [producer.submit({"text": "Kenyan police arrested ten protesters in Nairobi on Monday.",
                                "published_at": "2024-06-12T10:00:00Z"}).article_id]
        envelopes = wait_for_outcomes(redis_client, settings, ids, timeout=90, worker=worker)
    finally:
        producer.close()
        worker.stop()
        with Connection(RABBITMQ_URL) as conn:
            Queue(queue).bind(conn.default_channel).delete()
    assert envelopes[0]["type"] == "article.processed"
    for envelope in envelopes:
        validate_envelope(envelope)
