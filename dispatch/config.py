"""Typed settings read from the environment, validated before the app starts."""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
from pathlib import Path


def _flag(value: str, name: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} 只能是 true 或 false，当前为 {value!r}")


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; start-up must stop with this message."""


MIN_SECRET_LENGTH = 32
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


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
    # Evidence storage: "local" (a directory, the embedded default) or "s3" (MinIO).
    storage: str = "local"
    storage_dir: Path | None = None  # local: defaults to <instance>/evidence
    s3_endpoint: str = ""  # host:port
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_bucket: str = "dispatch-evidence"
    s3_secure: bool = True
    s3_region: str = ""

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        instance = Path(env.get("DISPATCH_INSTANCE_PATH", "instance")).resolve()
        url = env.get("DISPATCH_DATABASE_URL") or f"sqlite:///{instance / 'dispatch.db'}"
        storage_dir = env.get("DISPATCH_STORAGE_DIR")
        return cls(
            env=env.get("DISPATCH_ENV", "development"),
            instance_path=instance,
            database_url=url,
            secret_key=env.get("DISPATCH_SECRET_KEY", ""),
            session_idle_minutes=int(env.get("DISPATCH_SESSION_IDLE_MINUTES", "30")),
            login_rate_limit=env.get("DISPATCH_LOGIN_RATE_LIMIT", "30 per minute"),
            ratelimit_storage_uri=env.get("DISPATCH_RATELIMIT_STORAGE_URI", "memory://"),
            storage=env.get("DISPATCH_STORAGE", "local"),
            storage_dir=Path(storage_dir) if storage_dir else None,
            s3_endpoint=env.get("DISPATCH_S3_ENDPOINT", ""),
            s3_access_key=env.get("DISPATCH_S3_ACCESS_KEY", ""),
            s3_secret_key=env.get("DISPATCH_S3_SECRET_KEY", ""),
            s3_bucket=env.get("DISPATCH_S3_BUCKET", "dispatch-evidence"),
            s3_secure=_flag(env.get("DISPATCH_S3_SECURE", "true"), "DISPATCH_S3_SECURE"),
            s3_region=env.get("DISPATCH_S3_REGION", ""),
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
        self._validate_storage()

    def _validate_storage(self) -> None:
        if self.storage not in ("local", "s3"):
            raise ConfigError(f"DISPATCH_STORAGE 只能是 local 或 s3，当前为 {self.storage!r}")
        if self.storage == "s3":
            missing = [
                name
                for name, value in (
                    ("DISPATCH_S3_ENDPOINT", self.s3_endpoint),
                    ("DISPATCH_S3_ACCESS_KEY", self.s3_access_key),
                    ("DISPATCH_S3_SECRET_KEY", self.s3_secret_key),
                    ("DISPATCH_S3_BUCKET", self.s3_bucket),
                )
                if not value
            ]
            if missing:
                raise ConfigError(f"使用 S3 存储时必须设置 {', '.join(missing)}")
            if not BUCKET_NAME.fullmatch(self.s3_bucket):
                raise ConfigError(
                    "DISPATCH_S3_BUCKET 应为 3–63 位小写字母、数字、点或连字符，"
                    f"当前为 {self.s3_bucket!r}"
                )
            if "/" in self.s3_endpoint:
                raise ConfigError("DISPATCH_S3_ENDPOINT 应为 主机:端口，不含 http:// 或路径")

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
