"""The normalized Post and its parts stay immutable values with the fields,
defaults and equality of their dataclass declarations (their ``__init__`` is
the faster one ``desktop.core.post._fast_init`` writes)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from desktop.core.post import Author, Kind, Link, Media, Metrics, Network, Post, _fast_init

WHEN = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)


def test_the_classes_use_the_descriptor_init():
    for cls in (Author, Link, Media, Metrics, Post):
        assert "_set_" + dataclasses.fields(cls)[0].name in cls.__init__.__globals__, cls
        assert cls.__init__.__module__ == "desktop.core.post"
        assert cls.__init__.__annotations__  # typing.get_type_hints still reads them


def test_defaults_and_factories_are_those_declared():
    author = Author("1", "mira")
    assert (author.display_name, author.avatar_url) == ("", None)
    a = Post(Network.X, "9", author, "hello", WHEN)
    b = Post(network=Network.X, id="9", author=author, text="hello", created_at=WHEN)
    assert a == b and hash(a) == hash(b)
    assert a.kind is Kind.ORIGINAL and a.metrics == Metrics() and a.hashtags == ()
    assert (
        a.raw == {} and a.raw is not b.raw
    )  # a fresh dict per post, as field(default_factory=dict)
    raw = {"id": "9"}
    assert Post(Network.X, "9", author, "hello", WHEN, raw=raw).raw is raw
    assert Media("image").url is None and Link("u", "e").display_url == ""


def test_every_field_is_set_in_declaration_order():
    values = {f.name: f"value of {f.name}" for f in dataclasses.fields(Post)}
    post = Post(*values.values())
    assert {name: getattr(post, name) for name in values} == values
    assert dataclasses.astuple(Metrics(1, 2, 3, 4)) == (1, 2, 3, 4)


@pytest.mark.parametrize("cls", [Author, Link, Media, Metrics, Post])
def test_they_stay_frozen(cls):
    fields = dataclasses.fields(cls)
    obj = cls(*(f"x{i}" for i, f in enumerate(fields) if f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING))  # fmt: skip
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(obj, fields[0].name, "changed")


def test_wrong_arguments_fail_as_they_would_with_the_generated_init():
    with pytest.raises(TypeError):
        Author("1")  # handle is required
    with pytest.raises(TypeError):
        Author("1", "mira", nickname="m")


def test_only_plain_frozen_slotted_dataclasses_are_accepted():
    @dataclasses.dataclass(slots=True)
    class Mutable:
        x: int

    with pytest.raises(TypeError, match="frozen"):
        _fast_init(Mutable)

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        x: int

        def __post_init__(self) -> None:
            pass

    with pytest.raises(TypeError, match="__post_init__"):
        _fast_init(Checked)

    @dataclasses.dataclass(frozen=True, slots=True)
    class WithInitVar:
        x: int
        scale: dataclasses.InitVar[int] = 1

    with pytest.raises(TypeError, match="InitVar"):
        _fast_init(WithInitVar)
