"""Start-up, the Qt part: the PySide feature-scan patch (``feature_scan``, installed by
``create_application``), the preload of the first view's data (``preload``) and the timing
probe for benchmarks (``probe``). The Qt-free part is ``mentordesk.startup``."""
