"""The Qt user interface (nothing outside this package imports PySide6)."""

from mentordesk.ui import feature_scan

feature_scan.install()
