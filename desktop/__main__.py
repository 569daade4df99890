"""The program: ``python -m desktop``, and the frozen app (PyInstaller runs this file).

The import pipeline starts its worker as this same program with a hidden first
argument (``desktop.app.import_worker``). Such a call is handed over here,
before the CLI and everything it imports are loaded: the same worker, whether
the app is frozen or not.
"""

import sys

from desktop.app import import_worker

if import_worker.is_worker_call(sys.argv):
    sys.exit(import_worker.main(sys.argv[2:]))
else:
    from desktop.cli import main

    main()
