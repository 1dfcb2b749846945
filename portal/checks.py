"""System checks: warn at start-up when PDFs would show boxes instead of Chinese."""

import shutil
import subprocess

from django.core.checks import Warning, register


@register()
def cjk_font_available(app_configs, **kwargs):
    if not shutil.which("fc-list"):
        return [
            Warning(
                "fontconfig (fc-list) is missing: PDFs cannot find a Chinese font.",
                hint="Install fontconfig and fonts-noto-cjk (make run does this).",
                id="portal.W001",
            )
        ]
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    if not out.strip():
        return [
            Warning(
                "No Chinese (CJK) font is installed: Chinese text in PDFs would render as boxes.",
                hint="Install fonts-noto-cjk (make run does this).",
                id="portal.W002",
            )
        ]
    return []
