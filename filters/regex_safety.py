"""Refuse regular expressions that can take exponential time (catastrophic backtracking).

Python's ``re`` backtracks: ``(a+)+$`` against thirty ``a`` and a ``b`` tries every
way of splitting the ``a`` between the two ``+`` (2**30 of them) and runs for minutes,
and nothing in the standard library can interrupt a match. The filter language is
standard library only, so instead of a timeout it refuses, when the filter is parsed,
the two shapes that make a backtracking match exponential:

- **nested repetition**: inside a repeated piece, a repeat of variable length whose
  characters can also be matched by what follows it in the same turn or the next
  turn (``(a+)+``, ``(\\w+\\s?)*``, ``(.*,){5}``). When what follows cannot start
  with the same character (``(\\w+\\s)+``, ``(\\d+\\.){3}``) there is only one way to
  split the text, and the pattern is accepted;
- **three or more overlapping repeats** anywhere (``.*.*.*x``, ``a.*b.*c.*d``): not
  exponential but polynomial, each one multiplying the time by the post's length;
- **ambiguous alternation under a repeat**: inside a repeated piece, two
  alternatives that can begin with the same character (``(\\w|\\d)+``, ``(ab|a\\w)*``).

Possessive repeats (``a++``) and atomic groups (``(?>...)``) never backtrack into
what they matched, so they are always accepted: they are the way out the error
names. Character sets are compared on a sample alphabet (Latin-1, Latin Extended,
some other scripts and spaces, and every literal of the pattern), which can only
make the check more cautious, never let a catastrophic pattern through.

This reads the tree of CPython's own regex parser (``re._parser``, the module that
``re.compile`` uses): the shape the matcher will run, not a guess from the text.
"""

from __future__ import annotations

import re
from re import _parser as sre  # CPython's own parser of the pattern (3.11+)

_c = sre  # the opcodes (re._constants, re-exported by the parser)
MAXREPEAT = _c.MAXREPEAT
# ``.*.*x`` takes n**3 steps on a post of n characters (10 ms for 400), ``.*.*.*x``
# n**4 (a second for 400, minutes for a long post): two such repeats are allowed.
MAX_OVERLAPPING = 3

_CATEGORIES = {
    _c.CATEGORY_DIGIT: re.compile(r"\d").match,
    _c.CATEGORY_NOT_DIGIT: re.compile(r"\D").match,
    _c.CATEGORY_SPACE: re.compile(r"\s").match,
    _c.CATEGORY_NOT_SPACE: re.compile(r"\S").match,
    _c.CATEGORY_WORD: re.compile(r"\w").match,
    _c.CATEGORY_NOT_WORD: re.compile(r"\W").match,
}
_BASE_ALPHABET = (
    [chr(i) for i in range(0x250)]
    + list("\u00a0\u1680\u2000\u2007\u200b\u2028\u3000\u0391\u03b1\u0410\u0430\u05d0\u0627")
    + list("\u0663\u0966\u3042\u4e2d\uac00\u212a\u2160\U0001f600\U0001d7ce")
)


class CatastrophicPattern(ValueError):
    """The pattern can take exponential time; ``str`` says which shape and why."""


def check(pattern: str, *, ignore_case: bool = False) -> None:
    """Raise ``CatastrophicPattern`` if ``pattern`` can backtrack exponentially.

    ``pattern`` must already compile (``re.error`` otherwise).
    """
    tree = sre.parse(pattern, re.IGNORECASE if ignore_case else 0)
    alphabet = set(_BASE_ALPHABET)
    for ch in pattern:  # every literal of the pattern is in the sample
        alphabet.update(f for f in (ch, ch.lower(), ch.upper()) if len(f) == 1)
    _Checker(sorted(alphabet), bool(tree.state.flags & re.IGNORECASE)).sequence(
        list(tree), frozenset(), repeated=False
    )


class _Checker:
    def __init__(self, alphabet: list[str], ignore_case: bool) -> None:
        self.alphabet = alphabet
        self.ignore_case = ignore_case
        self.everything = frozenset(alphabet)
        self.overlapping = 0  # repeats that can give characters to what follows them
        self._sets: dict[tuple, frozenset[str]] = {}  # one-character items seen

    # -------------------------------------------------------- the walk
    def sequence(self, items: list, follow: frozenset[str], *, repeated: bool) -> None:
        """Check ``items``; ``follow``: what can come right after them; ``repeated``:
        they are inside a repeat that can run more than once (and may backtrack)."""
        for i, (op, av) in enumerate(items):
            after = self.first(items[i + 1 :])
            if self.nullable(items[i + 1 :]):
                after |= follow
            self.item(op, av, after, repeated=repeated)

    def item(self, op, av, follow: frozenset[str], *, repeated: bool) -> None:
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            low, high, body = av
            body = list(body)
            first = self.first(body)
            if low != high and high > 1 and first & follow:
                self.overlapping += 1
                if self.overlapping >= MAX_OVERLAPPING and not repeated:
                    raise CatastrophicPattern(
                        f"minutes on a long post ({MAX_OVERLAPPING} or more overlapping repeats)"
                    )
            if repeated and low != high and first & follow:
                raise CatastrophicPattern(
                    "exponential time (nested repetition: a repeat inside a repeat)"
                )
            # The body may be followed by itself (another turn) as well as by what follows.
            inner_follow = follow | first if high > 1 else follow
            self.sequence(body, inner_follow, repeated=repeated or high > 1)
        elif op == _c.POSSESSIVE_REPEAT or op == _c.ATOMIC_GROUP:
            return  # never backtracks into what it matched
        elif op == _c.SUBPATTERN:
            _group, add_flags, del_flags, body = av
            saved = self.ignore_case
            if add_flags & re.IGNORECASE:
                self.ignore_case = True
            if del_flags & re.IGNORECASE:
                self.ignore_case = False
            self.sequence(list(body), follow, repeated=repeated)
            self.ignore_case = saved
        elif op == _c.BRANCH:
            branches = [list(b) for b in av[1]]
            if repeated:
                seen: frozenset[str] = frozenset()
                for branch in branches:
                    first = self.first(branch)
                    if self.nullable(branch):
                        first |= follow
                    if first & seen:
                        raise CatastrophicPattern(
                            "exponential time (ambiguous alternation under a repeat)"
                        )
                    seen |= first
            for branch in branches:
                self.sequence(branch, follow, repeated=repeated)
        elif op == _c.GROUPREF_EXISTS:
            _group, yes, no = av
            for branch in (yes, no):
                if branch is not None:
                    self.sequence(list(branch), follow, repeated=repeated)
        elif op in (_c.ASSERT, _c.ASSERT_NOT):
            self.sequence(list(av[1]), frozenset(), repeated=repeated)

    # -------------------------------------------------------- first sets
    def first(self, items: list) -> frozenset[str]:
        """The characters a match of ``items`` can start with (on the sample alphabet)."""
        out: frozenset[str] = frozenset()
        for op, av in items:
            out |= self.first_of(op, av)
            if not self.nullable([(op, av)]):
                break
        return out

    def first_of(self, op, av) -> frozenset[str]:
        if op in (_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN):
            key = (op, repr(av), self.ignore_case)
            chars = self._sets.get(key)
            if chars is None:
                chars = frozenset(ch for ch in self.alphabet if self.single(op, av, ch))
                self._sets[key] = chars
            return chars
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            return self.first(list(av[2])) if av[1] > 0 else frozenset()
        if op == _c.SUBPATTERN:
            return self.first(list(av[3]))
        if op == _c.ATOMIC_GROUP:
            return self.first(list(av))
        if op == _c.BRANCH:
            return frozenset().union(*(self.first(list(b)) for b in av[1]))
        if op == _c.GROUPREF_EXISTS:
            return frozenset().union(*(self.first(list(b)) for b in av[1:] if b is not None))
        if op == _c.GROUPREF:
            return self.everything  # whatever the group matched
        return frozenset()  # anchors and lookarounds match no character

    def nullable(self, items: list) -> bool:
        """Can ``items`` match the empty string?"""
        for op, av in items:
            if op in (_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN):
                return False
            if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
                if av[0] > 0 and not self.nullable(list(av[2])):
                    return False
            elif op == _c.SUBPATTERN:
                if not self.nullable(list(av[3])):
                    return False
            elif op == _c.ATOMIC_GROUP:
                if not self.nullable(list(av)):
                    return False
            elif op == _c.BRANCH:
                if not any(self.nullable(list(b)) for b in av[1]):
                    return False
        return True  # anchors, lookarounds, group references, conditionals: may be empty

    def single(self, op, av, ch: str) -> bool:
        """Does the one-character item ``op av`` match ``ch``?"""
        forms = {ch}
        if self.ignore_case:  # one-character case forms ("ß".upper() is "SS")
            forms |= {f for f in (ch.lower(), ch.upper()) if len(f) == 1}
        if op == _c.ANY:
            return True  # with or without DOTALL: cautious
        if op == _c.LITERAL:
            return any(ord(f) == av for f in forms) or (
                self.ignore_case and chr(av).lower() == ch.lower()
            )
        if op == _c.NOT_LITERAL:
            return not any(ord(f) == av for f in forms)
        negate, hit = False, False
        for sub_op, sub_av in av:
            if sub_op == _c.NEGATE:
                negate = True
            elif sub_op == _c.LITERAL:
                hit = hit or any(ord(f) == sub_av for f in forms)
            elif sub_op == _c.RANGE:
                hit = hit or any(sub_av[0] <= ord(f) <= sub_av[1] for f in forms)
            elif sub_op == _c.CATEGORY:
                match = _CATEGORIES.get(sub_av)
                hit = hit or (match is None or any(match(f) for f in forms))
            else:  # a charset form we do not model: assume it matches (cautious)
                hit = True
        return hit != negate


__all__ = ["CatastrophicPattern", "check"]
