"""store(): the object first, then the row; a rolled-back transaction takes the object
with it; settings choose and validate the backend; /healthz reports it."""

from __future__ import annotations

import dataclasses
import hashlib
import io

import pytest
from sqlalchemy import func, select

from dispatch.app import create_app
from dispatch.audit import Acting
from dispatch.config import ConfigError, Settings
from dispatch.storage import LocalStorage, MemoryStorage, S3Storage, make_storage
from dispatch.storage.files import store
from models import StoredFile
from tests.conftest import START
from tests.pg import free_port
from tests.storage.conftest import s3_storage


@pytest.fixture(params=["memory", "local", "s3"])
def any_storage(request, tmp_path):  # type: ignore[no-untyped-def]
    if request.param == "memory":
        return MemoryStorage()
    if request.param == "local":
        return LocalStorage(tmp_path / "objects")
    return s3_storage(request.getfixturevalue("s3_server"))


def test_store_writes_object_and_row(db, world, any_storage) -> None:
    data = "竣工验收报告".encode() * 1000
    acting = Acting(world.users["district_a"], START)
    row = store(
        db, any_storage, acting, io.BytesIO(data),
        original_name="竣工验收报告.pdf", content_type="application/pdf",
    )  # fmt: skip
    db.commit()
    assert row.backend == any_storage.backend and row.key.startswith("evidence/2025/06/")
    assert row.size == len(data) and row.sha256 == hashlib.sha256(data).hexdigest()
    assert row.uploaded_by_id == world.users["district_a"].id and row.uploaded_at == START
    assert b"".join(any_storage.open(row.key)) == data


def test_rollback_deletes_the_object(db, world, any_storage) -> None:
    acting = Acting(world.users["district_a"], START)
    row = store(
        db, any_storage, acting, io.BytesIO(b"%PDF-1.7"),
        original_name="a.pdf", content_type="application/pdf",
    )  # fmt: skip
    key = row.key
    assert any_storage.exists(key)
    db.rollback()
    assert not any_storage.exists(key)
    assert db.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_commit_keeps_the_object_and_a_later_rollback_does_not_touch_it(db, world) -> None:
    storage = MemoryStorage()
    acting = Acting(world.users["district_a"], START)
    row = store(
        db, storage, acting, io.BytesIO(b"x"), original_name="a.txt", content_type="text/plain"
    )
    db.commit()
    db.rollback()
    assert storage.exists(row.key)


def test_settings_choose_and_validate_the_backend(tmp_path, s3_server) -> None:
    base = Settings(instance_path=tmp_path)
    assert isinstance(make_storage(base), LocalStorage)
    assert make_storage(base).root == tmp_path / "evidence"  # type: ignore[attr-defined]
    env = {
        "DISPATCH_STORAGE": "s3",
        "DISPATCH_S3_ENDPOINT": s3_server.endpoint,
        "DISPATCH_S3_ACCESS_KEY": s3_server.access_key,
        "DISPATCH_S3_SECRET_KEY": s3_server.secret_key,
        "DISPATCH_S3_BUCKET": "from-settings",
        "DISPATCH_S3_SECURE": "false",
    }
    settings = Settings.from_env(env)
    settings.validate()
    storage = make_storage(settings)
    assert isinstance(storage, S3Storage) and storage.check()  # bucket created
    for bad, message in (
        ({"DISPATCH_STORAGE": "ftp"}, "DISPATCH_STORAGE"),
        ({**env, "DISPATCH_S3_ENDPOINT": ""}, "DISPATCH_S3_ENDPOINT"),
        ({**env, "DISPATCH_S3_BUCKET": "Bad_Bucket"}, "DISPATCH_S3_BUCKET"),
        ({**env, "DISPATCH_S3_ENDPOINT": "http://x:9000"}, "DISPATCH_S3_ENDPOINT"),
    ):
        with pytest.raises(ConfigError, match=message):
            Settings.from_env(bad).validate()
    with pytest.raises(ConfigError, match="DISPATCH_S3_SECURE"):
        Settings.from_env({**env, "DISPATCH_S3_SECURE": "maybe"})


def test_app_does_not_start_without_a_store_that_answers(settings, engine) -> None:
    dead = dataclasses.replace(
        settings,
        storage="s3",
        s3_endpoint=f"127.0.0.1:{free_port()}",
        s3_access_key="k",
        s3_secret_key="s" * 16,
        s3_secure=False,
    )
    with pytest.raises(ConfigError, match="对象存储不可用"):
        create_app(dead)


def test_healthz_reports_storage(client) -> None:
    body = client.get("/healthz").get_json()
    assert body["storage"] == "ok"
