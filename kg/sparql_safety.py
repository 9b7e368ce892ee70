"""Refuse SPARQL that would make the service talk to other hosts (``SERVICE``, ``LOAD``, ``FROM``).

Oxigraph follows ``SERVICE <url>`` and ``LOAD <url>`` over HTTP, so a public endpoint must refuse
them before evaluation (server-side request forgery). The check reads the query the way a SPARQL
lexer does, so that ``"SERVICE"`` in a string literal, ``# SERVICE`` in a comment,
``<http://e/SERVICE>`` in an IRI, ``?service`` or ``ex:service`` are not mistaken for the keyword,
while ``service``, ``SERVICE SILENT``, ``SERVICE ?var`` and ``SERVICE`` glued to its operand
(``SERVICE<url>``, ``SERVICEex:x``, which Oxigraph accepts) are all found.

One character is ambiguous to a lexer that does not know the grammar: ``<`` starts an IRI
(``?s <p> ?o``) or is the less-than operator (``FILTER(?a<1)``). Read the wrong way, an "IRI"
can swallow a quote or ``#`` and hide the rest of the line, or the query, from the check. So
the scanner follows *both* readings of every ``<`` and refuses a keyword found in either: it can
only refuse too much (a query using a keyword inside something that is neither), never too
little. ``FROM`` is allowed when it names a graph that is in the store; the prologue is read on
the IRI reading, where ``FROM``, ``PREFIX`` and ``BASE`` live.

Examples
--------
>>> scan_query('SELECT * WHERE { ?s ?p "SERVICE <http://x/>" }').form
'SELECT'
>>> scan_query("select * { service <http://x/> { ?s ?p ?o } }")
Traceback (most recent call last):
...
kg.errors.QueryRefused: SERVICE is not allowed: this endpoint never sends requests to other services (at line 1, column 12)
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin

from kg.errors import QueryRefused, QuerySyntaxError

__all__ = ["QueryInfo", "check_dataset", "check_update", "scan_query"]

# SPARQL 1.1 grammar, productions 164-172 (PN_CHARS_BASE ... PN_LOCAL), as Python classes.
_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_PREFIX = rf"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = rf"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"

_WS = re.compile(r"[ \t\r\n]+")
_LINE_END = re.compile(r"[\r\n]")
# Wider than the grammar on purpose: any text up to the next '>' with no '<' in between. Both
# readings of '<' are followed, so a wide IRI can only add readings, never remove one.
_IRI = re.compile(r"<[^<>]*>")
_STRINGS = (
    re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''", re.S),
    re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""', re.S),
    re.compile(r"'(?:[^'\\\r\n]|\\.)*'"),
    re.compile(r'"(?:[^"\\\r\n]|\\.)*"'),
)
_VAR = re.compile(rf"[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*")
_BNODE = re.compile(rf"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?")
_PNAME = re.compile(rf"(?P<prefix>{_PN_PREFIX})?:(?P<local>{_PN_LOCAL})?")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9]+")

# Keywords that reach other hosts. Oxigraph needs no space after a keyword (``SERVICEex:x``),
# so they are looked for inside every word and prefix, not only as whole words.
_OUTBOUND = ("service", "load")
# What the second readings may lex in all: a bound on the scanner's work for any input.
_MAX_WORK = 3  # characters per character of the query
_MIN_WORK = 10_000

_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}


@dataclass(frozen=True)
class _Token:
    kind: str  # iri, string, var, bnode, pname, word, number, punct
    start: int
    text: str
    prefix: str = ""
    local: str = ""


@dataclass
class QueryInfo:
    """What the scanner learnt about a query: its form and the graphs its dataset clause names."""

    form: str | None
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)


def _lex(text: str, pos: int, iri_reading: bool, line_ends: list[int]) -> Iterator[_Token]:
    """Tokens from ``pos``; ``iri_reading`` picks how the first ``<`` at ``pos`` is read."""
    n = len(text)
    first = True
    while pos < n:
        ch = text[pos]
        if ch == "#":
            # Found by bisection: a reading that starts many comments on one long line stays linear.
            i = bisect.bisect_left(line_ends, pos)
            pos = line_ends[i] if i < len(line_ends) else n
            first = False
            continue
        m = _WS.match(text, pos)
        if m:
            pos = m.end()
            first = False
            continue
        token: _Token | None = None
        if ch == "<" and (iri_reading or not first):
            m = _IRI.match(text, pos)
            if m:
                token = _Token("iri", pos, m.group())
        elif ch in "'\"":
            for pattern in _STRINGS:
                m = pattern.match(text, pos)
                if m:
                    token = _Token("string", pos, m.group())
                    break
        elif ch in "?$":
            m = _VAR.match(text, pos)
            if m:
                token = _Token("var", pos, m.group())
        elif ch == "_":
            m = _BNODE.match(text, pos)
            if m:
                token = _Token("bnode", pos, m.group())
        if token is None and (ch == ":" or ch.isalpha()):
            m = _PNAME.match(text, pos)
            if m:
                token = _Token("pname", pos, m.group(), m.group("prefix") or "", m.group("local") or "")
            else:
                w = _WORD.match(text, pos)
                if w:
                    token = _Token("word", pos, w.group())
        if token is None and "0" <= ch <= "9":  # str.isdigit() also accepts "²" and "٣"
            m = _NUMBER.match(text, pos)
            assert m is not None
            token = _Token("number", pos, m.group())
        if token is None:
            token = _Token("punct", pos, ch)
        yield token
        pos = token.start + len(token.text)
        first = False


def _scan(text: str) -> tuple[list[_Token], list[_Token]]:
    """Tokens of the IRI reading, and every word or prefix token that could be a keyword."""
    line_ends = [m.start() for m in _LINE_END.finditer(text)]
    main = list(_lex(text, 0, True, line_ends))
    seen = {t.start for t in main}
    words = [t for t in main if t.kind in ("word", "pname")]
    # Each '<' read as an IRI is read again as an operator, from the character after it. On that
    # reading '<' sits inside a bracketed expression, so a keyword within the would-be IRI can
    # act only after a ')' or '{' closes or nests the expression, or after a quote or '#' has
    # shifted the reading; words before that are operands, not keywords.
    todo = [(t.start, t.start + len(t.text)) for t in main if t.kind == "iri"]
    budget = _MAX_WORK * len(text) + _MIN_WORK
    while todo:
        start, end = todo.pop()
        effective = False
        for token in _lex(text, start, False, line_ends):
            if token.start >= end or token.kind == "string" or token.text in (")", "{"):
                effective = True
            if effective:
                if token.start in seen:
                    break  # this reading has rejoined one already scanned with keywords counted
                seen.add(token.start)
            budget -= len(token.text)
            if budget < 0:
                raise QueryRefused("the query is too convoluted to check for outbound requests; simplify it")
            if token.kind == "iri":
                todo.append((token.start, token.start + len(token.text)))
            elif token.kind in ("word", "pname") and effective:
                words.append(token)
    return main, words


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _refuse_outbound(text: str, words: list[_Token]) -> None:
    for token in sorted(words, key=lambda t: t.start):
        lowered = (token.prefix if token.kind == "pname" else token.text).lower()
        for keyword in _OUTBOUND:
            if keyword in lowered:
                raise QueryRefused(
                    f"{keyword.upper()} is not allowed: this endpoint never sends requests to other "
                    f"services (at {_where(text, token.start)})"
                )


def _resolve(token: _Token, prefixes: dict[str, str], base: str | None) -> str | None:
    if token.kind == "iri":
        iri = token.text[1:-1]
        return urljoin(base, iri) if base else iri
    if token.kind == "pname" and token.prefix in prefixes:
        return prefixes[token.prefix] + re.sub(r"\\(.)", r"\1", token.local)
    return None


MAX_NESTING = 256


def _refuse_deep_nesting(text: str, tokens: list[_Token]) -> None:
    """Refuse groups nested deeper than :data:`MAX_NESTING`: Oxigraph's recursive parser
    overflows its stack on a few thousand levels, which would crash a query worker."""
    depth = 0
    for token in tokens:
        if token.kind == "punct" and token.text in "{(":
            depth += 1
            if depth > MAX_NESTING:
                raise QuerySyntaxError(
                    f"the query nests groups or expressions more than {MAX_NESTING} deep "
                    f"(at {_where(text, token.start)})"
                )
        elif token.kind == "punct" and token.text in "})":
            depth = max(0, depth - 1)


def scan_query(text: str, graphs: Collection[str] | None = None) -> QueryInfo:
    """Check a SPARQL query for outbound requests and return its form and dataset clause.

    Raises :class:`~kg.errors.QueryRefused` on ``SERVICE`` or ``LOAD`` anywhere, and on ``FROM``
    or ``FROM NAMED`` naming a graph that is not in ``graphs`` (when ``graphs`` is given) or
    written in a form the scanner cannot resolve. Syntax errors are left to the SPARQL parser.

    Examples
    --------
    >>> scan_query("PREFIX g: <http://e/graph/> SELECT * FROM g:a { ?s ?p ?o }").from_graphs
    ['http://e/graph/a']
    >>> scan_query("SELECT * FROM <http://evil/> { ?s ?p ?o }", graphs=["http://e/graph/a"])
    Traceback (most recent call last):
    ...
    kg.errors.QueryRefused: FROM <http://evil/> names no graph in this store; this endpoint never fetches data from other hosts
    """
    main, words = _scan(text)
    _refuse_outbound(text, words)
    _refuse_deep_nesting(text, main)
    info = QueryInfo(form=None)
    prefixes: dict[str, str] = {}
    base: str | None = None
    resolved_from: set[int] = set()
    i = 0
    while i < len(main):
        token = main[i]
        keyword = token.text.upper() if token.kind == "word" else ""
        following = main[i + 1] if i + 1 < len(main) else None
        if keyword == "PREFIX" and following is not None and following.kind == "pname" and i + 2 < len(main):
            target = _resolve(main[i + 2], prefixes, base) if main[i + 2].kind == "iri" else None
            if target is not None and not following.local:
                prefixes[following.prefix] = target
            i += 3
            continue
        if keyword == "BASE" and following is not None and following.kind == "iri":
            base = _resolve(following, prefixes, base)
            i += 2
            continue
        if keyword in _FORMS and info.form is None:
            info.form = keyword
        if keyword == "FROM":
            named = following is not None and following.kind == "word" and following.text.upper() == "NAMED"
            target_token = main[i + 2] if named and i + 2 < len(main) else following
            target = _resolve(target_token, prefixes, base) if target_token is not None else None
            if target is None:
                raise QueryRefused(
                    f"write FROM and FROM NAMED as FROM <graph-iri> (at {_where(text, token.start)})"
                )
            (info.from_named_graphs if named else info.from_graphs).append(target)
            resolved_from.add(token.start)
        i += 1
    for token in words:
        lowered = (token.prefix if token.kind == "pname" else token.text).lower()
        if "from" in lowered and token.start not in resolved_from:
            raise QueryRefused(
                f"write FROM and FROM NAMED as FROM <graph-iri> (at {_where(text, token.start)})"
            )
    if graphs is not None:
        check_dataset(info.from_graphs, info.from_named_graphs, graphs, clause=("FROM", "FROM NAMED"))
    return info


def check_dataset(
    default_graphs: Collection[str],
    named_graphs: Collection[str],
    graphs: Collection[str],
    clause: tuple[str, str] = ("default-graph-uri", "named-graph-uri"),
) -> None:
    """Refuse a dataset that names a graph not in the store (it would otherwise be fetched).

    Examples
    --------
    >>> check_dataset(["http://e/g"], [], ["http://e/g"])
    >>> check_dataset([], ["http://evil/"], ["http://e/g"])
    Traceback (most recent call last):
    ...
    kg.errors.QueryRefused: named-graph-uri <http://evil/> names no graph in this store; this endpoint never fetches data from other hosts
    """
    known = set(graphs)
    for name, iris in ((clause[0], default_graphs), (clause[1], named_graphs)):
        for iri in iris:
            if iri not in known:
                raise QueryRefused(
                    f"{name} <{iri}> names no graph in this store; "
                    "this endpoint never fetches data from other hosts"
                )


def check_update(text: str) -> None:
    """Refuse a SPARQL Update that would fetch data (``LOAD``) or call a ``SERVICE``.

    Examples
    --------
    >>> check_update("INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/p> 'LOAD' } }")
    >>> check_update("load <http://example.org/data.ttl>")
    Traceback (most recent call last):
    ...
    kg.errors.QueryRefused: LOAD is not allowed: this endpoint never sends requests to other services (at line 1, column 1)
    """
    _main, words = _scan(text)
    _refuse_outbound(text, words)
