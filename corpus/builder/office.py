"""LibreOffice headless as the corpus's PDF exporter: the Word (.docx) and Excel (.xlsx) files the
producers write are converted to PDF the way a user's "export as PDF" does it.

One ``soffice --convert-to pdf`` run converts every file of a producer (starting LibreOffice costs
a second or two, converting a file far less), with a private user profile in a temporary folder so
that two builds running at once do not share (and lock) one profile.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGES = "libreoffice-writer-nogui libreoffice-calc-nogui"
TIMEOUT = 600  # seconds for one conversion run: the whole compilation takes well under a minute


def find_soffice() -> str:
    """The LibreOffice program, or a clear error naming the packages that bring it."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit(
        "build.py: LibreOffice (soffice) was not found; the word and calc producers export their "
        f"documents to PDF with it.\nInstall it with `apt-get install {PACKAGES}` (`make corpus` does "
        "so as root), or build the other layouts only: --layout plain|published|scanned|overprint."
    )


def convert(files: list[Path], outdir: Path) -> list[Path]:
    """Convert ``files`` (.docx / .xlsx) to ``outdir/{stem}.pdf`` in one LibreOffice run."""
    soffice = find_soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="planex-lo-") as profile:
        command = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)]  # fmt: skip
        run = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    pdfs = [outdir / f"{f.stem}.pdf" for f in files]
    missing = [p.name for p in pdfs if not p.exists()]
    if run.returncode or missing:
        sys.exit(
            f"build.py: LibreOffice did not convert {', '.join(missing) or 'the files'} "
            f"(exit {run.returncode}):\n{run.stderr.strip() or run.stdout.strip()}"
        )
    return pdfs
