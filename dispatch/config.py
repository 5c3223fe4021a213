"""Typed settings read from the environment, validated before the app starts."""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from models.enums import Role


def _flag(value: str, name: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} 只能是 true 或 false，当前为 {value!r}")


def _count(value: str, name: str, *, minimum: int) -> int:
    """A whole number of at least ``minimum``; anything else stops start-up naming the setting."""
    try:
        number = int(value.strip())
    except ValueError:
        number = minimum - 1
    if number < minimum:
        kind = "非负整数" if minimum == 0 else "正整数"
        raise ConfigError(f"{name} 必须为{kind}，当前为 {value!r}")
    return number


def _retention_days(value: str) -> int:
    """The audit retention in days (empty: the minimum); whether it is long enough is
    :meth:`Settings.validate`'s to say."""
    if not value.strip():
        return MIN_AUDIT_RETENTION_DAYS
    try:
        return int(value.strip())
    except ValueError:
        raise ConfigError(
            f"DISPATCH_AUDIT_RETENTION_DAYS 必须为天数（整数，不少于 {MIN_AUDIT_RETENTION_DAYS}），"
            f"当前为 {value!r}"
        ) from None


def _roles(value: str | None) -> tuple[str, ...] | None:
    """A comma list of role names (``None``: not set, the environment's default)."""
    if value is None:
        return None
    return tuple(part.strip() for part in value.split(",") if part.strip())


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; start-up must stop with this message."""


MIN_SECRET_LENGTH = 32
# GB/T 22239 level 3: audit records are kept at least six months.
MIN_AUDIT_RETENTION_DAYS = 180
# Limiter stores this app accepts: one process's memory, or Redis shared by every worker.
LIMITER_SCHEMES = ("memory", "redis", "rediss", "redis+unix")
# Roles that must sign in with two factors in production unless DISPATCH_TOTP_ROLES says
# otherwise (等保 level 3: the city and the three officers); none elsewhere, so the demo
# opens with the password alone.
PRODUCTION_TOTP_ROLES = ("city", "admin", "security", "auditor")
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
    # Days a password may be used before the user must change it at sign-in; 0: no expiry.
    password_max_age_days: int = 0
    login_rate_limit: str = "30 per minute"
    ratelimit_storage_uri: str = "memory://"
    ratelimit_enabled: bool = True
    # Reverse proxies in front of the app whose X-Forwarded-For / -Proto entries are believed.
    trusted_proxies: int = 0
    # Web worker processes sharing these settings: DISPATCH_WORKERS, else gunicorn's own
    # WEB_CONCURRENCY; None when neither says (``gunicorn -w N`` is invisible to the app).
    workers: int | None = None
    # Set by the two ways of serving HTTP (``dispatch serve``, wsgi.py), not by commands.
    serving: bool = False
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
    # Days the audit log keeps events before `dispatch audit archive` may move them out.
    audit_retention_days: int = MIN_AUDIT_RETENTION_DAYS
    # Roles that must use two-factor sign-in (DISPATCH_TOTP_ROLES); None: the environment's
    # default (see :attr:`totp_required_roles`). Any user may enrol from 我的账户.
    totp_roles: tuple[str, ...] | None = None

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def totp_required_roles(self) -> frozenset[Role]:
        """The roles whose users cannot sign in without two-factor (enrolling first)."""
        if self.totp_roles is None:
            return (
                frozenset(Role(r) for r in PRODUCTION_TOTP_ROLES)
                if self.is_production
                else (frozenset())
            )
        return frozenset(Role(r) for r in self.totp_roles)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        instance = Path(env.get("DISPATCH_INSTANCE_PATH", "instance")).resolve()
        url = env.get("DISPATCH_DATABASE_URL") or f"sqlite:///{instance / 'dispatch.db'}"
        storage_dir = env.get("DISPATCH_STORAGE_DIR")
        workers = env.get("DISPATCH_WORKERS") or env.get("WEB_CONCURRENCY")
        workers_name = "DISPATCH_WORKERS" if env.get("DISPATCH_WORKERS") else "WEB_CONCURRENCY"
        return cls(
            env=env.get("DISPATCH_ENV", "development"),
            instance_path=instance,
            database_url=url,
            secret_key=env.get("DISPATCH_SECRET_KEY", ""),
            session_idle_minutes=int(env.get("DISPATCH_SESSION_IDLE_MINUTES", "30")),
            password_max_age_days=_count(
                env.get("DISPATCH_PASSWORD_MAX_AGE_DAYS", "0"),
                "DISPATCH_PASSWORD_MAX_AGE_DAYS",
                minimum=0,
            ),
            login_rate_limit=env.get("DISPATCH_LOGIN_RATE_LIMIT", "30 per minute"),
            ratelimit_storage_uri=env.get("DISPATCH_RATELIMIT_STORAGE_URI", "memory://"),
            trusted_proxies=_count(
                env.get("DISPATCH_TRUSTED_PROXIES", "0"), "DISPATCH_TRUSTED_PROXIES", minimum=0
            ),
            workers=_count(workers, workers_name, minimum=1) if workers else None,
            storage=env.get("DISPATCH_STORAGE", "local"),
            storage_dir=Path(storage_dir) if storage_dir else None,
            s3_endpoint=env.get("DISPATCH_S3_ENDPOINT", ""),
            s3_access_key=env.get("DISPATCH_S3_ACCESS_KEY", ""),
            s3_secret_key=env.get("DISPATCH_S3_SECRET_KEY", ""),
            s3_bucket=env.get("DISPATCH_S3_BUCKET", "dispatch-evidence"),
            s3_secure=_flag(env.get("DISPATCH_S3_SECURE", "true"), "DISPATCH_S3_SECURE"),
            s3_region=env.get("DISPATCH_S3_REGION", ""),
            audit_retention_days=_retention_days(env.get("DISPATCH_AUDIT_RETENTION_DAYS", "")),
            totp_roles=_roles(env.get("DISPATCH_TOTP_ROLES")),
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
        self._validate_rate_limit()
        self._validate_storage()
        unknown = [r for r in self.totp_roles or () if r not in {role.value for role in Role}]
        if unknown:
            raise ConfigError(
                f"DISPATCH_TOTP_ROLES 中的角色 {', '.join(repr(r) for r in unknown)} 不存在；"
                f"可用的角色为 {', '.join(role.value for role in Role)}（逗号分隔，可为空）"
            )
        if self.audit_retention_days < MIN_AUDIT_RETENTION_DAYS:
            raise ConfigError(
                f"DISPATCH_AUDIT_RETENTION_DAYS 不能少于 {MIN_AUDIT_RETENTION_DAYS} 天"
                f"（等保三级要求审计记录至少保存六个月），当前为 {self.audit_retention_days}"
            )

    def for_server(self, workers: int | None = None) -> Settings:
        """These settings as a web server's, with its worker count when the server knows it."""
        return dataclasses.replace(
            self, serving=True, workers=self.workers if workers is None else workers
        )

    def _validate_rate_limit(self) -> None:
        if not isinstance(self.trusted_proxies, int) or self.trusted_proxies < 0:
            raise ConfigError(
                f"DISPATCH_TRUSTED_PROXIES 必须为非负整数，当前为 {self.trusted_proxies!r}"
            )
        if self.workers is not None and self.workers < 1:
            raise ConfigError(f"DISPATCH_WORKERS 必须为正整数，当前为 {self.workers!r}")
        uri = urlsplit(self.ratelimit_storage_uri)
        if uri.scheme not in LIMITER_SCHEMES or (
            uri.scheme in ("redis", "rediss") and not uri.hostname
        ):
            raise ConfigError(
                "DISPATCH_RATELIMIT_STORAGE_URI 只能是 memory:// 或 redis://主机:端口/库号，"
                f"当前为 {self.ratelimit_storage_uri!r}"
            )
        if not (self.is_production and self.serving and self.ratelimit_enabled):
            return
        # Each worker process counts alone in memory://: N workers would allow N times the
        # login limit, so production shares the counters in Redis unless one process serves.
        if uri.scheme == "memory" and self.workers != 1:
            workers = (
                " worker 进程数未知（gunicorn 的 -w 参数应用看不到，请用 WEB_CONCURRENCY 或 "
                "DISPATCH_WORKERS 写明）"
                if self.workers is None
                else f"运行 {self.workers} 个 worker 进程"
            )
            raise ConfigError(
                f"生产模式下{workers}时，登录限流不能使用进程内存储 memory://：请将 "
                "DISPATCH_RATELIMIT_STORAGE_URI 设置为 redis://主机:端口/库号 "
                "(production with several workers requires a shared Redis limiter store)"
            )

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
