"""Errors the CLI turns into a one-line message and exit status 2."""


class UnusableInput(Exception):
    """The input cannot be audited (empty, binary, not HTML, unreadable). The message is one line."""
