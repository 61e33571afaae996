"""The instance folder and its files (SQLite database, -wal/-shm, generated secret key) are readable
by their owner only, from the moment they exist; SQL parameters never reach the log."""
from __future__ import annotations

import logging
import os
import stat

from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from app.config import Config, _secret_key, prepare_sqlite_file


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_secret_key_and_database_files_are_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    old = os.umask(0o022)  # a usual umask: without care files would be 0644
    try:
        instance = tmp_path / "instance"
        key = _secret_key(instance)
        assert len(key) == 64 and _mode(instance) == 0o700 and _mode(instance / "secret_key") == 0o600
        assert _secret_key(instance) == key  # generated once
        db_file = instance / "huhang.db"
        prepare_sqlite_file(f"sqlite:///{db_file}")
        engine = create_engine(f"sqlite:///{db_file}")
        with engine.begin() as conn:
            conn.execute(text("PRAGMA journal_mode=WAL"))
            conn.execute(text("CREATE TABLE t (x TEXT)"))
            conn.execute(text("INSERT INTO t VALUES ('张三')"))
            files = sorted(p.name for p in instance.iterdir())
            assert "huhang.db-wal" in files and "huhang.db-shm" in files
            for name in files:
                assert _mode(instance / name) == 0o600, name
        engine.dispose()
    finally:
        os.umask(old)


def test_a_database_error_does_not_log_the_values(tmp_path, caplog):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}", **Config.SQLALCHEMY_ENGINE_OPTIONS)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE kids (name TEXT UNIQUE)"))
        conn.execute(text("INSERT INTO kids VALUES (:n)"), {"n": "王小明"})
    caplog.set_level(logging.INFO)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO kids VALUES (:n)"), {"n": "王小明"})
    except IntegrityError as error:
        message = str(error)
    engine.dispose()
    assert "王小明" not in message and "王小明" not in caplog.text
