"""The filter language of JamDeck columns: parse, compile to a predicate or SQL, explain.

Standard library only; nothing here imports ``desktop`` or Qt.
"""
