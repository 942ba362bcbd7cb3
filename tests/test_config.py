"""Settings from the environment: types, defaults, and clear errors for bad values."""

import pytest

from worker.config import Settings, SettingsError, unknown_variables


def test_defaults_and_typed_values_from_the_environment():
    settings = Settings.from_env({"EVENTWIRE_CONCURRENCY": "4", "EVENTWIRE_LANGUAGES": "en, en-GB",
                                  "EVENTWIRE_NEAR_DUPLICATE_THRESHOLD": "0.9", "EVENTWIRE_LOG_FORMAT": ""})
    assert settings.concurrency == 4
    assert settings.languages == ("en", "en-gb")
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
    ({"EVENTWIRE_TASK_TIME_LIMIT": "900"}, "VISIBILITY_TIMEOUT"),
    ({"EVENTWIRE_MAX_DELIVERIES": "0"}, "MAX_DELIVERIES"),
])
def test_bad_values_are_clear_errors(env, fragment):
    with pytest.raises(SettingsError, match=fragment):
        Settings.from_env(env)


def test_accepted_languages_are_read_case_insensitively():
    assert Settings.from_env({"EVENTWIRE_LANGUAGES": "EN, En-Us"}).languages == ("en", "en-us")


def test_every_bad_value_is_named_on_its_own_line():
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"EVENTWIRE_LOG_LEVEL": "LOUD", "EVENTWIRE_REDIS_URL": "localhost:6391",
                           "EVENTWIRE_CONCURRENCY": "many"})
    lines = str(caught.value).splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("EVENTWIRE_REDIS_URL='localhost:6391': not a Redis URL")
    assert "redis://localhost:6391/0" in lines[0]  # says how to write it
    assert lines[1].startswith("EVENTWIRE_LOG_LEVEL='LOUD': must be one of DEBUG")
    assert lines[2].startswith("EVENTWIRE_CONCURRENCY='many'")


def test_a_bad_url_is_reported_with_its_password_masked():
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"EVENTWIRE_BROKER_URL": "//u:s3cret@rabbit"})
    assert "EVENTWIRE_BROKER_URL" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_log_levels_are_accepted_in_any_case_and_kept_upper_case():
    assert Settings.from_env({"EVENTWIRE_LOG_LEVEL": "debug"}).log_level == "DEBUG"


def test_building_settings_directly_reads_no_environment(monkeypatch):
    monkeypatch.setenv("EVENTWIRE_CONCURRENCY", "7")
    assert Settings().concurrency == 2
    assert Settings.from_env().concurrency == 7


def test_unknown_eventwire_variables_are_named_with_the_closest_setting():
    warnings = unknown_variables({"EVENTWIRE_REDIS_URI": "redis://h/0", "EVENTWIRE_SCHEMA_DIR": "/s",
                                  "EVENTWIRE_QUEUE": "q", "HOME": "/root"})
    assert warnings == ["unknown setting EVENTWIRE_REDIS_URI is ignored (did you mean EVENTWIRE_REDIS_URL?)"]


def test_streams_and_queue_are_derived_from_the_key_prefix_unless_set():
    tenant = Settings.from_env({"EVENTWIRE_KEY_PREFIX": "blue:"})
    assert (tenant.results_stream, tenant.dlq_stream, tenant.queue) == ("blue:results", "blue:dlq",
                                                                       "blue:articles")
    explicit = Settings.from_env({"EVENTWIRE_KEY_PREFIX": "blue:", "EVENTWIRE_QUEUE": "jobs"})
    assert explicit.queue == "jobs"
    moved = Settings().replace(key_prefix="red:")
    assert (moved.results_stream, moved.queue) == ("red:results", "red:articles")
    assert explicit.replace(key_prefix="red:").queue == "jobs"  # set explicitly: kept


def test_the_repr_masks_url_passwords():
    settings = Settings(redis_url="redis://:s3cret@h:6379/0", broker_url="amqp://u:s3cret@rabbit//")
    assert "s3cret" not in repr(settings) and "redis://:***@h:6379/0" in repr(settings)


@pytest.mark.parametrize("languages", ["en,fr", "de", ","])
def test_only_languages_with_a_model_configured_are_accepted(languages):
    with pytest.raises(SettingsError,
                       match=r"EVENTWIRE_LANGUAGES=.*only languages with a model configured.*'en'"):
        Settings.from_env({"EVENTWIRE_LANGUAGES": languages})
