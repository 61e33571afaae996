"""Logs without secrets, and data kept only for a while is deleted on time."""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import func, select

from app.children.models import ImportBatch
from app.core.logs import GunicornLogger, RedactingFilter, redact
from app.core.models import FormSubmission
from app.core.timeutil import utcnow


def test_tokens_and_searches_are_kept_out_of_the_access_log():
    line = "GET /invite/Zr8sK2p-vLq0aVtq_nM3?next=/home HTTP/1.1"
    assert redact(line) == "GET /invite/… HTTP/1.1"
    assert redact("GET /sites/1/children?q=13800000004 HTTP/1.1") == "GET /sites/1/children HTTP/1.1"
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '"%s" %s %s',
                               ("GET /children?q=张三 HTTP/1.1", "200", "-"), None)
    RedactingFilter().filter(record)
    assert "张三" not in record.getMessage() and "/children" in record.getMessage()


def test_gunicorn_access_log_is_redacted():
    from types import SimpleNamespace

    logger = GunicornLogger(SimpleNamespace(errorlog="-", loglevel="info", accesslog=None, syslog=False,
                                            capture_output=False, logconfig=None, logconfig_dict={},
                                            logconfig_json=None, disable_redirect_access_to_syslog=False,
                                            access_log_format="", syslog_addr=None, syslog_prefix=None,
                                            syslog_facility="user", dogstatsd_tags="", statsd_host=None,
                                            user=0, group=0))
    request = SimpleNamespace(method="GET", path="/invite/SECRETTOKEN", query="q=13800000004", version=(1, 1),
                              uri="/invite/SECRETTOKEN?q=13800000004", headers=[])
    response = SimpleNamespace(status="200 OK", response_length=10, sent=10, headers=[])
    environ = {"REMOTE_ADDR": "127.0.0.1", "RAW_URI": request.uri, "SERVER_PROTOCOL": "HTTP/1.1",
               "QUERY_STRING": request.query, "PATH_INFO": request.path, "REQUEST_METHOD": "GET"}
    atoms = logger.atoms(response, request, environ, timedelta(seconds=0.01))
    text = " ".join(str(v) for v in atoms.values())
    assert "SECRETTOKEN" not in text and "13800000004" not in text


def test_purge_deletes_expired_previews_and_old_form_records(app, db, world):
    db.session.add_all([
        ImportBatch(site_id=world.site.id, payload={"rows": []}, created_at=utcnow() - timedelta(days=2),
                    expires_at=utcnow() - timedelta(days=1)),
        ImportBatch(site_id=world.site.id, payload={"rows": []}, created_at=utcnow(),
                    expires_at=utcnow() + timedelta(hours=1)),
        FormSubmission(token="old", endpoint="x", created_at=utcnow() - timedelta(days=31)),
        FormSubmission(token="new", endpoint="x", created_at=utcnow()),
    ])
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0 and "Purged 1 expired import previews and 1 old form records" in result.output
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 1
    assert db.session.scalars(select(FormSubmission.token)).all() == ["new"]
