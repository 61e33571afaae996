"""The production server's settings (gunicorn.conf.py) do what they say once a worker is up."""
from __future__ import annotations

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[2]


def test_a_warm_worker_freezes_what_it_holds_and_collects_young_objects_less_often(monkeypatch):
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    rendered = []
    monkeypatch.setattr("app.core.pdf.render_pdf", lambda html: rendered.append(html) or b"%PDF")
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    try:
        held = [[] for _ in range(10)]  # containers a warm worker holds, tracked by the collector
        settings["post_worker_init"](SimpleNamespace(log=SimpleNamespace(warning=print)))
        assert rendered, "the worker warms WeasyPrint before its first request"
        assert gc.get_threshold()[0] == settings["GC_YOUNG_THRESHOLD"] == 5000
        assert gc.get_threshold()[1:] == before[1:]
        assert gc.get_freeze_count() > frozen  # the warm objects are left out of later passes
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
