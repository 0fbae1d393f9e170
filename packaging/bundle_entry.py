"""The bundled app's entry point (PyInstaller runs this script as ``mentordesk``)."""

from mentordesk.cli import main

raise SystemExit(main())
