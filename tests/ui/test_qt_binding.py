"""The Qt binding the app runs on must not corrupt the interpreter.

PySide6 6.12.0 drops one reference to ``True`` on every ``Signal.emit()``; on Python 3.11
(where ``True`` is not immortal) the interpreter aborts with "bool_dealloc: deallocating True
or False" after a few thousand emits — any long import or export with a progress bar. This runs
the emits in a child process so that a bad binding fails this test instead of the test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal

    class Source(QObject):
        progress = Signal(int, int, str)

    app = QCoreApplication([])
    source, relay = Source(), Source()
    source.progress.connect(relay.progress, Qt.ConnectionType.QueuedConnection)
    before = sys.getrefcount(True)
    for i in range(200):
        source.progress.emit(i, 200, "rows")
    app.processEvents()
    drift = sys.getrefcount(True) - before
    for i in range(20_000):  # enough to exhaust True's references if each emit drops one
        source.progress.emit(i, 20_000, "rows")
    print(drift)
""")


def test_signal_emit_keeps_the_interpreter_intact() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr[-2000:]
    # A few references may come and go; one lost per emit is the bug.
    assert abs(int(done.stdout.strip().splitlines()[-1])) < 50, done.stdout
