"""Typed settings read from the environment, validated before the app starts."""

from __future__ import annotations

import dataclasses
import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; start-up must stop with this message."""


MIN_SECRET_LENGTH = 32


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment."""

    env: str = "development"
    instance_path: Path = Path("instance")
    database_url: str = ""
    secret_key: str = ""
    session_idle_minutes: int = 30
    lockout_threshold: int = 5
    lockout_minutes: int = 15
    login_rate_limit: str = "30 per minute"
    ratelimit_storage_uri: str = "memory://"
    ratelimit_enabled: bool = True
    testing: bool = False

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        instance = Path(env.get("DISPATCH_INSTANCE_PATH", "instance")).resolve()
        url = env.get("DISPATCH_DATABASE_URL") or f"sqlite:///{instance / 'dispatch.db'}"
        return cls(
            env=env.get("DISPATCH_ENV", "development"),
            instance_path=instance,
            database_url=url,
            secret_key=env.get("DISPATCH_SECRET_KEY", ""),
            session_idle_minutes=int(env.get("DISPATCH_SESSION_IDLE_MINUTES", "30")),
            login_rate_limit=env.get("DISPATCH_LOGIN_RATE_LIMIT", "30 per minute"),
            ratelimit_storage_uri=env.get("DISPATCH_RATELIMIT_STORAGE_URI", "memory://"),
        )

    def validate(self) -> None:
        """Fail fast on unsafe production settings, with a message an operator can act on."""
        if self.env not in ("production", "development"):
            raise ConfigError(f"DISPATCH_ENV 只能是 production 或 development，当前为 {self.env!r}")
        if self.is_production:
            if len(self.secret_key) < MIN_SECRET_LENGTH:
                raise ConfigError(
                    "生产模式必须设置 DISPATCH_SECRET_KEY，且长度不少于 "
                    f"{MIN_SECRET_LENGTH} 个字符 (production requires DISPATCH_SECRET_KEY)"
                )
            if self.database_url.startswith("sqlite"):
                raise ConfigError(
                    "生产模式不能使用 SQLite，请将 DISPATCH_DATABASE_URL 设置为 PostgreSQL "
                    "(production requires a PostgreSQL DISPATCH_DATABASE_URL)"
                )
        if self.session_idle_minutes < 1:
            raise ConfigError("DISPATCH_SESSION_IDLE_MINUTES 必须为正整数")

    def with_generated_secret(self) -> Settings:
        """Outside production, keep a generated secret in the instance folder across runs."""
        if self.secret_key or self.is_production:
            return self
        self.instance_path.mkdir(parents=True, exist_ok=True)
        secret_file = self.instance_path / "secret_key"
        if not secret_file.exists():
            secret_file.write_text(secrets.token_urlsafe(48))
            secret_file.chmod(0o600)
        return dataclasses.replace(self, secret_key=secret_file.read_text().strip())
