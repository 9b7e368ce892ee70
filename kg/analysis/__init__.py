"""Network analyses of the ecosystem: who is tied to whom, across which sectors, and where it is thin.

Laid out like ``networkx/algorithms``: one family of algorithms per module, plain functions
that take a graph and return plain data.

- :mod:`kg.analysis.graphs`: the four graphs, built from SPARQL results and cached per store;
- :mod:`kg.analysis.centrality`, :mod:`~kg.analysis.coverage`, :mod:`~kg.analysis.brokerage`,
  :mod:`~kg.analysis.holes`, :mod:`~kg.analysis.fragility`, :mod:`~kg.analysis.communities`,
  :mod:`~kg.analysis.assortativity`, :mod:`~kg.analysis.links`: the analyses;
- :mod:`kg.analysis.report`: the sector gap report and its Markdown/HTML/JSON renderings;
- :mod:`kg.analysis.export`: GraphML, GEXF, Cytoscape.js and Kumu CSV files, and plots;
- :mod:`kg.analysis.cli`: the ``lskg gaps`` and ``lskg network`` verbs.
"""

from kg.analysis.assortativity import sector_mixing
from kg.analysis.brokerage import brokerage_roles
from kg.analysis.centrality import betweenness, degree, eigenvector, pagerank
from kg.analysis.communities import communities
from kg.analysis.coverage import sector_coverage, shannon_diversity, triple_helix_mutual_information
from kg.analysis.fragility import articulation_points, bridges, local_bridges
from kg.analysis.graphs import GRAPHS, build_graph
from kg.analysis.holes import structural_holes
from kg.analysis.links import cross_sector_links
from kg.analysis.report import gap_report

__all__ = [
    "GRAPHS",
    "articulation_points",
    "betweenness",
    "bridges",
    "brokerage_roles",
    "build_graph",
    "communities",
    "cross_sector_links",
    "degree",
    "eigenvector",
    "gap_report",
    "local_bridges",
    "pagerank",
    "sector_coverage",
    "sector_mixing",
    "shannon_diversity",
    "structural_holes",
    "triple_helix_mutual_information",
]
