"""A server process freezes its start-up objects and widens the collector's youngest generation before serving
(``zhurnal.core.runtime.settle``)."""

import os
import subprocess
import sys
from pathlib import Path

from zhurnal.core.runtime import YOUNG_THRESHOLD

ROOT = Path(__file__).resolve().parents[3]


def test_the_wsgi_application_starts_with_the_urlconf_loaded_and_its_objects_frozen(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PYTEST_CURRENT_TEST"}}
    env.update(SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="config.settings", ZHURNAL_VAR_DIR=str(tmp_path))
    script = ("import gc, sys; import config.wsgi; "
              "print(gc.get_freeze_count(), 'zhurnal.journal.views.grid' in sys.modules, gc.get_threshold()[0])")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True, timeout=120)
    frozen, views_loaded, young_threshold = out.stdout.split()
    assert int(frozen) > 50_000  # Django, the apps and the URLconf: out of the collector's sight
    assert views_loaded == "True"
    assert int(young_threshold) == YOUNG_THRESHOLD
