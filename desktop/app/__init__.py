"""The application layer: Qt-free services the command line and the window share.

Each service opens, changes or runs something in the library and returns what
changed; the front ends (``desktop.cli``, ``desktop.ui``) only translate that
into text or widgets.
"""
