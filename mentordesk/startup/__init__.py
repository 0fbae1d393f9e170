"""Start-up, the Qt-free part: the helper process that computes the mentee list while the
app imports Qt (``helper``, ``snapshot``: its wire format) and the heap policy (``heap``).

The Qt part (the PySide feature-scan patch, the preload, the probe) is in
``mentordesk.ui.startup``: only ``mentordesk.ui`` imports PySide6. The helper process imports
this package, so it stays empty.
"""
