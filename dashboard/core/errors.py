"""Errors that carry a message meant for a person, not a stack trace."""


class InputError(Exception):
    """Bad input (a source file, a data product, a parameter).

    The message names the file, row, column or parameter concerned; the CLI prints
    it as one line and exits with status 2.
    """
