"""Content negotiation: pick a media type from ``Accept`` (with q-values) or ``?format=``.

Nothing here guesses: if neither the format parameter nor any ``Accept`` entry matches an
offered type, :class:`api.errors.NotAcceptable` lists what is offered (406).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from api.errors import NotAcceptable

__all__ = ["FORMAT_ALIASES", "negotiate", "parse_accept"]

# ?format= values and file suffixes, mapped to media types.
FORMAT_ALIASES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
    "html": "text/html",
}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges of an ``Accept`` header with their q-values, best first.

    Examples
    --------
    >>> parse_accept("text/html;q=0.5, text/turtle, */*;q=0.1")
    [('text/turtle', 1.0), ('text/html', 0.5), ('*/*', 0.1)]
    """
    if not header:
        return [("*/*", 1.0)]
    ranges = []
    for position, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        # Specific ranges outrank wildcards at equal q; then the order given.
        specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
        ranges.append((media, q, -specificity, position))
    ranges.sort(key=lambda r: (-r[1], r[2], r[3]))
    return [(media, q) for media, q, _s, _p in ranges]


def negotiate(
    accept: str | None,
    offered: Sequence[str],
    format_param: str | None = None,
    aliases: Mapping[str, str] = FORMAT_ALIASES,
) -> str:
    """Choose one of ``offered`` (first is the default for ``*/*``).

    Examples
    --------
    >>> negotiate("application/json;q=0.2, text/csv", ["application/sparql-results+json", "text/csv"])
    'text/csv'
    >>> negotiate(None, ["text/turtle", "application/ld+json"], format_param="jsonld")
    'application/ld+json'
    """
    if format_param:
        media = aliases.get(format_param.lower(), format_param.lower())
        if media in offered:
            return media
        raise NotAcceptable(list(offered))
    for media, q in parse_accept(accept):
        if q <= 0:
            continue
        if media == "*/*":
            return offered[0]
        if media.endswith("/*"):
            major = media[:-1]
            for candidate in offered:
                if candidate.startswith(major):
                    return candidate
            continue
        if media == "application/json" and "application/sparql-results+json" in offered:
            return "application/sparql-results+json"
        if media in offered:
            return media
    raise NotAcceptable(list(offered))
