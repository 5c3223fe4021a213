"""Settings: production refuses unsafe configuration; development generates a secret."""

from __future__ import annotations

import pytest

from dispatch.config import ConfigError, Settings


def _prod(**env):
    base = {
        "DISPATCH_ENV": "production",
        "DISPATCH_SECRET_KEY": "s" * 40,
        "DISPATCH_DATABASE_URL": "postgresql+psycopg://u@h/db",
    }
    base.update(env)
    return Settings.from_env(base)


def test_production_accepts_safe_settings():
    _prod().validate()


def test_production_rejects_short_secret():
    with pytest.raises(ConfigError, match="DISPATCH_SECRET_KEY"):
        _prod(DISPATCH_SECRET_KEY="short").validate()


def test_production_rejects_missing_secret():
    env = {"DISPATCH_ENV": "production", "DISPATCH_DATABASE_URL": "postgresql+psycopg://u@h/db"}
    with pytest.raises(ConfigError, match="DISPATCH_SECRET_KEY"):
        Settings.from_env(env).validate()


def test_production_rejects_sqlite():
    with pytest.raises(ConfigError, match="SQLite"):
        _prod(DISPATCH_DATABASE_URL="sqlite:///x.db").validate()


def test_unknown_env_rejected():
    with pytest.raises(ConfigError):
        Settings.from_env({"DISPATCH_ENV": "staging"}).validate()


def test_default_database_lives_in_instance_folder(tmp_path):
    settings = Settings.from_env({"DISPATCH_INSTANCE_PATH": str(tmp_path / "inst")})
    assert settings.database_url == f"sqlite:///{tmp_path / 'inst' / 'dispatch.db'}"


def test_generated_secret_is_kept_across_runs(tmp_path):
    env = {"DISPATCH_INSTANCE_PATH": str(tmp_path / "inst")}
    first = Settings.from_env(env).with_generated_secret()
    second = Settings.from_env(env).with_generated_secret()
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    assert (tmp_path / "inst" / "secret_key").stat().st_mode & 0o077 == 0


# --- the login limiter behind proxies and workers (issue 12) -------------------------------


def test_trusted_proxies_default_to_none_and_are_read():
    assert Settings.from_env({}).trusted_proxies == 0
    assert Settings.from_env({"DISPATCH_TRUSTED_PROXIES": "2"}).trusted_proxies == 2


@pytest.mark.parametrize("value", ["-1", "one", "1.5", ""])
def test_trusted_proxies_must_be_a_non_negative_integer(value):
    with pytest.raises(ConfigError, match="DISPATCH_TRUSTED_PROXIES 必须为非负整数"):
        Settings.from_env({"DISPATCH_TRUSTED_PROXIES": value})


def test_trusted_proxies_checked_when_given_directly():
    with pytest.raises(ConfigError, match="DISPATCH_TRUSTED_PROXIES"):
        Settings(trusted_proxies=-1).validate()


def test_worker_count_from_dispatch_workers_else_web_concurrency():
    assert Settings.from_env({}).workers is None
    assert Settings.from_env({"WEB_CONCURRENCY": "3"}).workers == 3
    both = {"WEB_CONCURRENCY": "3", "DISPATCH_WORKERS": "5"}
    assert Settings.from_env(both).workers == 5
    assert Settings.from_env({}).for_server(2).workers == 2
    assert Settings.from_env({"WEB_CONCURRENCY": "3"}).for_server().workers == 3


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"DISPATCH_WORKERS": "0"}, "DISPATCH_WORKERS"),
        ({"WEB_CONCURRENCY": "x"}, "WEB_CONCURRENCY"),
    ],
)
def test_worker_count_must_be_positive(env, name):
    with pytest.raises(ConfigError, match=f"{name} 必须为正整数"):
        Settings.from_env(env)


REDIS = {"DISPATCH_RATELIMIT_STORAGE_URI": "redis://redis.internal:6379/0"}


@pytest.mark.parametrize(
    "env",
    [{"DISPATCH_WORKERS": "4"}, {"WEB_CONCURRENCY": "2"}, {}],
    ids=["dispatch-workers", "web-concurrency", "unknown"],
)
def test_production_server_refuses_the_per_process_limiter_store(env):
    with pytest.raises(ConfigError, match="登录限流不能使用进程内存储 memory://"):
        _prod(**env).for_server().validate()
    _prod(**env, **REDIS).for_server().validate()  # shared by every worker: accepted


def test_production_single_worker_and_commands_keep_memory_store():
    _prod(DISPATCH_WORKERS="1").for_server().validate()
    _prod().for_server(1).validate()
    _prod(DISPATCH_WORKERS="4").validate()  # a command (backup, migrations) serves no logins


def test_development_server_may_use_memory_store_with_several_workers():
    Settings.from_env({}).for_server(4).validate()


@pytest.mark.parametrize(
    "uri",
    [
        "memory://",
        "redis://127.0.0.1:6379/0",
        "rediss://r.internal:6380/1",
        "redis+unix:///run/redis.sock",
    ],
)
def test_limiter_store_accepts_memory_and_redis(uri):
    Settings.from_env({"DISPATCH_RATELIMIT_STORAGE_URI": uri}).validate()


@pytest.mark.parametrize("uri", ["memcached://m:11211", "redis://", "localhost:6379", ""])
def test_limiter_store_refuses_anything_else(uri):
    with pytest.raises(ConfigError, match="DISPATCH_RATELIMIT_STORAGE_URI 只能是"):
        Settings.from_env({"DISPATCH_RATELIMIT_STORAGE_URI": uri}).validate()
