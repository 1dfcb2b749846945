"""The Chinese translation is complete: every msgid in the code and templates has a translation.

The check extracts the messages afresh (makemessages in a copy of the source tree, merged into a
copy of the committed .po) and fails on any untranslated or fuzzy entry, naming them.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["manage.py", "portal", "campaigns", "commitments", "evaluations", "awards", "templates", "locale"]


def lacking(po_path, *flags):
    out = subprocess.run(["msgattrib", *flags, "--no-obsolete", "--no-wrap", po_path], capture_output=True, text=True)
    entries = re.findall(r'^msgid "(.*)"\n(?:msgid_plural.*\n)?msgstr', out.stdout, re.M)
    return [e for e in entries if e]  # the empty msgid is the header


@pytest.mark.skipif(not shutil.which("msgattrib"), reason="gettext is not installed (make test installs it)")
def test_every_message_has_a_chinese_translation(tmp_path):
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        elif source.exists():
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale/zh_Hans/LC_MESSAGES").mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    po = tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po"
    missing = lacking(po, "--untranslated") + lacking(po, "--only-fuzzy")
    assert not missing, f"{len(missing)} message(s) lack a Chinese translation (make translations):\n" + "\n".join(
        missing[:60]
    )
