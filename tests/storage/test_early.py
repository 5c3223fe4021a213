"""Uploads put while they arrive (dispatch.storage.early): the reader of a growing spool,
adoption by store() once, deletion of what nobody adopted, on every backend.

The spool is the app's own (dispatch.web.uploads.ScannedSpool) written piece by piece
from another thread with pauses, as Werkzeug's parser writes it from the socket.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time

import pytest
from sqlalchemy import func, select

from dispatch.audit import Acting
from dispatch.storage.base import new_key
from dispatch.storage.early import Abandoned, EarlyPut, Growing
from dispatch.storage.files import store
from dispatch.web.uploads import ScannedSpool
from models import StoredFile
from tests.conftest import START

DATA = os.urandom(3 * 1024 * 1024 + 12345)  # over one S3 part is not needed: 3 MiB


def _feed(spool: ScannedSpool, data: bytes, piece: int = 65536, pause: float = 0.0005) -> None:
    for start in range(0, len(data), piece):
        spool.write(data[start : start + piece])
        if pause and start % (16 * piece) == 0:
            time.sleep(pause)


def _spooled(storage, data: bytes = DATA) -> ScannedSpool:  # type: ignore[no-untyped-def]
    """A spool filled from another thread while its early put reads it; finished."""
    spool = ScannedSpool("a.bin", None)
    spool.early = EarlyPut(storage, new_key("evidence", START), spool.fileno(), None)
    writer = threading.Thread(target=_feed, args=(spool, data))
    writer.start()
    writer.join()
    spool.early.reader.finish()
    spool.seek(0)
    return spool


def test_the_reader_gets_every_byte_in_order_as_the_file_grows(tmp_path) -> None:
    with (tmp_path / "spool").open("w+b", buffering=0) as f:
        reader = Growing(f.fileno())
        got: list[bytes] = []

        def read() -> None:
            while data := reader.read(100_003):
                got.append(data)

        thread = threading.Thread(target=read)
        thread.start()
        for start in range(0, len(DATA), 7777):
            piece = DATA[start : start + 7777]
            f.write(piece)
            reader.wrote(len(piece))
        reader.finish()
        thread.join(10)
        assert b"".join(got) == DATA
        # Full reads until the end: the SDK's parts come whole.
        assert all(len(piece) == 100_003 for piece in got[:-1])


def test_an_abandoned_upload_stops_the_reader(tmp_path) -> None:
    with (tmp_path / "spool").open("w+b", buffering=0) as f:
        reader = Growing(f.fileno())
        f.write(b"x" * 10)
        reader.wrote(10)
        reader.abandon()
        with pytest.raises(Abandoned):
            reader.read(100)


def test_store_adopts_the_early_object_once(db, world, storage) -> None:
    acting = Acting(world.users["district_a"], START)
    with contextlib.closing(_spooled(storage)) as spool:
        early = spool.early
        assert early is not None
        row = store(
            db, storage, acting, spool, original_name="a.pdf", content_type="application/pdf"
        )
        db.commit()
        assert row.key == early.key  # adopted, not written again
        assert row.size == len(DATA) and row.sha256 == hashlib.sha256(DATA).hexdigest()
        assert b"".join(storage.open(row.key)) == DATA
        early.discard()  # the request ends: an adopted object stays
        assert [i.key for i in storage.iter_keys()] == [row.key]


def test_a_rolled_back_adoption_deletes_the_object_and_a_rerun_puts_again(
    db, world, storage
) -> None:
    acting = Acting(world.users["district_a"], START)
    with contextlib.closing(_spooled(storage)) as spool:
        first = store(db, storage, acting, spool, original_name="a", content_type="text/plain")
        early_key = first.key
        db.rollback()  # a lost race: the unit of work runs again
        assert not storage.exists(early_key)
        spool.seek(0)
        again = store(db, storage, acting, spool, original_name="a", content_type="text/plain")
        db.commit()
        assert again.key != early_key and b"".join(storage.open(again.key)) == DATA
        assert [i.key for i in storage.iter_keys()] == [again.key]


def test_what_nobody_adopted_is_deleted_when_the_request_ends(db, storage) -> None:
    with contextlib.closing(_spooled(storage)) as spool:
        assert spool.early is not None
        spool.early.discard()
    assert list(storage.iter_keys()) == []
    assert db.scalar(select(func.count()).select_from(StoredFile)) == 0


def test_an_upload_abandoned_half_way_leaves_nothing(storage) -> None:
    spool = ScannedSpool("a.bin", None)
    with contextlib.closing(spool):
        spool.early = EarlyPut(storage, new_key("evidence", START), spool.fileno(), None)
        _feed(spool, DATA[: len(DATA) // 2])
        spool.early.reader.abandon()
        spool.early.discard()
    assert list(storage.iter_keys()) == []
