"""JamDeck: a multi-column desktop client for tweet jams."""

__version__ = "0.1.0"
