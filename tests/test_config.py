"""Settings from the environment: types, defaults, and clear errors for bad values."""

import pytest

from worker.config import Settings, SettingsError


def test_defaults_and_typed_values_from_the_environment():
    settings = Settings.from_env({"EVENTWIRE_CONCURRENCY": "4", "EVENTWIRE_LANGUAGES": "en, de",
                                  "EVENTWIRE_NEAR_DUPLICATE_THRESHOLD": "0.9", "EVENTWIRE_LOG_FORMAT": ""})
    assert settings.concurrency == 4
    assert settings.languages == ("en", "de")
    assert settings.near_duplicate_threshold == 0.9
    assert settings.log_format == "auto"  # empty means default
    assert settings.results_stream == "eventwire:results"


def test_broker_defaults_to_the_redis_url():
    assert Settings(redis_url="redis://h:1/0").effective_broker_url == "redis://h:1/0"
    assert Settings(redis_url="redis://h:1/0", broker_url="amqp://g@r//").effective_broker_url == \
        "amqp://g@r//"


@pytest.mark.parametrize(("env", "fragment"), [
    ({"EVENTWIRE_CONCURRENCY": "many"}, "EVENTWIRE_CONCURRENCY"),
    ({"EVENTWIRE_LOG_FORMAT": "xml"}, "LOG_FORMAT"),
    ({"EVENTWIRE_MINHASH_BANDS": "7"}, "multiple"),
    ({"EVENTWIRE_TASK_TIME_LIMIT": "900"}, "visibility_timeout"),
    ({"EVENTWIRE_MAX_DELIVERIES": "0"}, "MAX_DELIVERIES"),
])
def test_bad_values_are_clear_errors(env, fragment):
    with pytest.raises(SettingsError, match=fragment):
        Settings.from_env(env)


def test_accepted_languages_are_read_case_insensitively():
    assert Settings.from_env({"EVENTWIRE_LANGUAGES": "EN, Fr"}).languages == ("en", "fr")
