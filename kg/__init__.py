"""lskg: a knowledge graph of the Swedish life-science ecosystem.

The library is organised as the data flows: :mod:`kg.build` parses ``ontology/`` and
``data/``, validates them (:mod:`kg.validate`) and loads a :mod:`kg.store`;
:mod:`kg.query` and :mod:`kg.analysis` read the store; :mod:`kg.export` writes it out.
"""

__version__ = "0.1.0"
