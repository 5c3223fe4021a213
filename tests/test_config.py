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
