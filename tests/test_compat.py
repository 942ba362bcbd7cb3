"""The kombu work-around: a lost broker during restore, ack or requeue must not take the worker down."""

from contextlib import contextmanager

from kombu.transport import redis as kombu_redis

from worker.tasks.compat import tolerate_lost_broker


class GoneChannel:
    """A channel whose broker connection has been torn down (what kombu meets after a Redis crash)."""

    @contextmanager
    def conn_or_acquire(self, client=None):
        raise AttributeError("'NoneType' object has no attribute 'hostname'")
        yield  # pragma: no cover


def qos_on_a_gone_channel(tag: str) -> kombu_redis.QoS:
    """kombu's Redis QoS (work-around applied) holding one unacked message ``tag`` on a gone channel."""
    tolerate_lost_broker()
    qos = kombu_redis.QoS.__new__(kombu_redis.QoS)
    qos.channel = GoneChannel()
    qos._delivered = {tag: object()}
    qos._dirty = set()
    return qos


def test_restore_after_the_broker_vanished_is_skipped_not_fatal():
    tolerate_lost_broker()
    qos = qos_on_a_gone_channel("tag-1")  # applies it again: idempotent, wrapped once
    assert qos.restore_unacked() is None
    assert "tag-1" in qos._delivered  # nothing was dropped: it is restored by visibility timeout
    assert kombu_redis.QoS.restore_unacked.__wrapped__.__name__ == "restore_unacked"


def test_an_ack_after_the_broker_vanished_is_skipped_not_fatal():
    qos = qos_on_a_gone_channel("tag-2")
    assert qos.ack("tag-2") is None  # kombu raised AttributeError here, which stopped the consumer
    assert "tag-2" in qos._delivered  # still unacked in Redis: it comes back after the visibility timeout
    assert kombu_redis.QoS.ack.__wrapped__.__name__ == "ack"


def test_a_requeue_after_the_broker_vanished_is_skipped_whole_not_fatal():
    qos = qos_on_a_gone_channel("tag-3")
    # kombu raised AttributeError here (restoring the message), which stopped the consumer
    assert qos.reject("tag-3", requeue=True) is None
    assert "tag-3" in qos._delivered  # not acked after the failed requeue: it is not lost
    assert kombu_redis.QoS.reject.__wrapped__.__name__ == "reject"
