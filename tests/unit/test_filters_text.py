"""The one tokenizer: its fast paths give exactly what the rules say."""

from __future__ import annotations

import random
import re
import string

from filters.text import fold, tokenize

RULE = re.compile(r"[#@]?\w+")  # the module docstring's rule, on the folded text


def test_tokens_follow_the_rule_on_ascii_and_unicode_text():
    rng = random.Random(7)
    alphabet = string.printable + "éÉßİıﬁ½ΣςØ中文العربية\u0301\u200d🎉＃Ａ１"
    samples = ["Café #SocBiz @Alice_1 A1: yes!", "straße ﬁne ½ İstanbul", "#q1 (A2) — ok"]
    samples += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)
    ]
    for text in samples:
        assert tokenize(text) == RULE.findall(fold(text)), text


def test_ascii_words_are_lowered_and_split_on_everything_but_word_characters():
    assert tokenize("Hello, World_2! #JamDeck @Mira.b a-b") == [
        "hello", "world_2", "#jamdeck", "@mira", "b", "a", "b",
    ]  # fmt: skip
