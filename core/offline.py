"""Offline by construction: nothing this product runs may reach the internet.

``guard()`` runs before the first import of unstructured, transformers or sentence-transformers. It sets
the switches that stop telemetry and hub look-ups, and checks that spaCy's ``en_core_web_sm`` resolves to
the packaged model (the alias in ``packaging/en_core_web_sm``): without it unstructured would try to
download the model on its first parse.
"""

from __future__ import annotations

import logging
import os

from core.errors import ConfigError
from core.settings import OFFLINE_ENV

_done = False

# Libraries that log every odd PDF operator or unknown attachment at WARNING.
_NOISY_LOGGERS = ("pdfminer", "unstructured", "unstructured_inference", "pikepdf", "PIL", "root")


def set_env() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("UNSTRUCTURED_DISABLE_NOTICE", "1")


def guard() -> None:
    global _done
    if _done:
        return
    set_env()
    for name in _NOISY_LOGGERS[:-1]:
        logging.getLogger(name).setLevel(logging.ERROR)
    import spacy.util

    if not spacy.util.is_package("en_core_web_sm"):
        raise ConfigError(
            "spaCy model alias 'en_core_web_sm' is not installed, so unstructured would download it. "
            "Install it with: pip install ./packaging/en_core_web_sm"
        )
    _done = True
