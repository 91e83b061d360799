"""The content layer of the alignment: levels and disciplines from what a resource is about.

:mod:`.tables` reads the reviewable data (discipline lexicon, level cues, named periods),
:mod:`.index` builds once per process the lookups over them and over the programme index
compiled with the vocabulary, :mod:`.evidence` reads a record's words and period, and
:mod:`.infer` scores the evidence and decides, abstaining when it is weak.
"""

from .infer import Inference, infer

__all__ = ["Inference", "infer"]
