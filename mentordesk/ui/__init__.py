"""The Qt user interface (nothing outside this package imports PySide6)."""
