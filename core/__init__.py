"""What every layer shares and none owns: the raw record a protocol client yields and a reader
reads (:mod:`core.raw`), and the hostile-input-safe XML parser (:mod:`core.xmlsafe`).

It sits below ``harvesters`` and ``schemas`` so that the output side (readers, serialisers, the
vocabulary compiler) does not depend on the input layer; it imports nothing of the project.
"""
