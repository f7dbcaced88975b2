"""Settings packages: ``base`` (shared), ``dev`` (default), ``test``, ``production``."""
