"""The one tokenizer: its fast paths give exactly what the rules say."""

from __future__ import annotations

import random
import re
import string
import unicodedata

from filters.text import fold, tokenize

RULE = re.compile(r"[#@]?\w+")  # the module docstring's rule, on the folded text
CJK_BLOCKS = [(0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)]
CJK_BLOCKS += [(0xFF66, 0xFF9F), (0x20000, 0x3134F)]


def is_cjk(char: str) -> bool:
    return any(low <= ord(char) <= high for low, high in CJK_BLOCKS)


def rule_tokens(text: str) -> list[str]:
    """The rule, then each CJK run of a word (not of a #tag or @handle) as its bigrams."""
    out = []
    for token in RULE.findall(fold(text)):
        if token[0] in "#@":
            out.append(token)
            continue
        runs: list[str] = []
        for char in token:
            if runs and is_cjk(char) == is_cjk(runs[-1][-1]):
                runs[-1] += char
            else:
                runs.append(char)
        for run in runs:
            if is_cjk(run[0]) and len(run) > 1:
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
            else:
                out.append(run)
    return out


def fold_rule(text: str) -> str:
    """The module docstring's folding, spelled out: NFKD, combining marks dropped, casefold."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def test_fold_follows_the_rule_on_every_latin1_character_and_mixed_text():
    latin1 = "".join(map(chr, range(256)))
    for char in latin1:
        assert fold(char) == fold_rule(char), hex(ord(char))
    rng = random.Random(11)
    alphabet = latin1 + "İıﬁ½ΣςØ中\u0301\u0308\u200d🎉＃Ａ１ǅ"
    samples = [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(3000)
    ]
    # Mostly-Latin text as jams write it, with the odd non-Latin-1 character.
    samples += [
        "".join(rng.choice(string.ascii_letters + " éÉèïçñöüÀ#@:ß" * 2) for _ in range(40))
        for _ in range(1000)
    ]
    for text in samples:
        assert fold(text) == fold_rule(text), text


def test_hashes_and_ats_inside_or_after_words_split_as_the_rule_says():
    rng = random.Random(5)
    alphabet = "ab_Z9 #@.:-\t\néß"
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert tokenize(text) == RULE.findall(fold(text)), text
    assert tokenize("a#b x@ ##q @@r #@s # @ café#Résumé") == [
        "a", "#b", "x", "#q", "@r", "@s", "cafe", "#resume",
    ]  # fmt: skip


def test_tokens_follow_the_rule_on_ascii_and_unicode_text():
    rng = random.Random(7)
    alphabet = string.printable + "éÉßİıﬁ½ΣςØ中文العربية\u0301\u200d🎉＃Ａ１東京でカタｶﾀ"
    samples = ["Café #SocBiz @Alice_1 A1: yes!", "straße ﬁne ½ İstanbul", "#q1 (A2) — ok"]
    samples += ["東京で会いましょう #東京 tokyo東京x 東", "ｶﾀｶﾅ 𠮷野家"]
    samples += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)
    ]
    for text in samples:
        assert tokenize(text) == rule_tokens(text), text
    assert tokenize("東京で会いましょう") == [
        "東京",
        "京て",
        "て会",
        "会い",
        "いま",
        "まし",
        "しょ",
        "ょう",
    ]


def test_ascii_words_are_lowered_and_split_on_everything_but_word_characters():
    assert tokenize("Hello, World_2! #JamDeck @Mira.b a-b") == [
        "hello", "world_2", "#jamdeck", "@mira", "b", "a", "b",
    ]  # fmt: skip
