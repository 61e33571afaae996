"""Gunicorn settings for Huhang (production): `gunicorn -c gunicorn.conf.py`.

* The app is loaded once in the master (`preload_app`), with pypinyin's dictionaries (~55 MiB),
  before the workers fork: they share those pages instead of each loading its own copy.
* Database connections are never shared across the fork: each worker starts with an empty pool.
* Each worker renders one tiny PDF before it takes requests, so the first certificate a user asks
  for does not pay for fontconfig and the @font-face set-up (WeasyPrint's font state is per
  process by design, see app/core/pdf.py, so this is not done in the master).
* The garbage collector: what a worker holds once it is warm is frozen (left out of every later
  pass), and the youngest generation is collected after 5,000 new container objects instead of
  CPython's 700. A page allocates ~1,000–3,000 objects that reference counting frees again when the
  response is sent; at 700 the collector ran one to four times per page, walking objects that were
  about to be freed anyway (0.2–0.6 ms of a 10 ms page, measured with gc.callbacks on district
  data). Cycles are still collected, a few requests later.

Settings can be overridden on the command line (`-w 4`, `-b 0.0.0.0:8000`) or with
GUNICORN_CMD_ARGS; HUHANG_BIND and WEB_CONCURRENCY are read here.
"""
import gc
import os

wsgi_app = "wsgi:app"
bind = os.environ.get("HUHANG_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "sync"
preload_app = os.environ.get("HUHANG_PRELOAD", "1") != "0"  # 0: only to measure what it saves
timeout = 60  # a certificate batch or an import may take a while; the proxy's timeout should be longer
graceful_timeout = 30
# Only the proxy on this host may tell us the original scheme and client address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
limit_request_fields = 100
accesslog = os.environ.get("HUHANG_ACCESS_LOG") or None  # the proxy logs requests too
errorlog = "-"
# The access log never holds invitation tokens or query strings (searches by phone number, names).
logger_class = "app.core.logs.GunicornLogger"


def when_ready(server):
    """In the master, after the app is loaded and before any worker forks."""
    if not server.cfg.preload_app:
        return
    from app.children.names import name_pinyin

    name_pinyin("张三")  # loads pypinyin's dictionaries once, shared by every worker
    # What is loaded now stays out of the garbage collector's passes, which would otherwise write to
    # every object's header in each worker and so copy the shared pages (Python's gc.freeze docs).
    gc.freeze()


def post_fork(server, worker):
    """A forked worker must not reuse connections the master may have opened."""
    from app.extensions import db

    app = server.app.wsgi()
    if "sqlalchemy" in getattr(app, "extensions", {}):
        with app.app_context():
            db.engine.dispose(close=False)


GC_YOUNG_THRESHOLD = 5000


def post_worker_init(worker):
    """Warm WeasyPrint (fonts, print.css) in this worker before its first request, then freeze what
    the worker holds and raise the garbage collector's first threshold (see the top of this file)."""
    try:
        from app.core.pdf import render_pdf

        render_pdf("<p>护航 Huhang</p>")
    except Exception as error:  # a missing font must not keep the site down; the PDF pages will say
        worker.log.warning("PDF warm-up failed: %s", error)
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
