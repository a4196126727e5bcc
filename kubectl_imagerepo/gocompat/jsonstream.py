"""Go's `json.Decoder.Decode` errors: what reading one JSON value from a response body reports.

ggcr decodes a tag list with `json.NewDecoder(body).Decode(&tags)`, which differs from `json.Unmarshal`
(`gocompat.jsondecode`) at the edges: an empty body is `EOF`, a body cut short is `unexpected EOF`
(wherever it was cut), and anything after the first complete value is left unread, so it is no error.
Syntax errors inside the value read as `json.Unmarshal`'s (`invalid character 'h' looking for
beginning of value`).
"""

from __future__ import annotations

from kubectl_imagerepo.gocompat.jsondecode import syntax_error

__all__ = ["decoder_error"]

_WHITESPACE = b" \t\r\n"
_END_OF_INPUT = "unexpected end of JSON input"
_AFTER_TOP_LEVEL = "after top-level value"
# The scanner is fed a space at the end of the input; an error about that space is the input's end.
_FED_SPACE = "invalid character ' ' "


def decoder_error(data: bytes) -> str | None:
    """The error `Decode` returns for a body holding `data`, or None when its first value is valid JSON.

    Example:
        ```python
        >>> decoder_error(b""), decoder_error(b'{"tags":["a"'), decoder_error(b"hello")
        ('EOF', 'unexpected EOF', "invalid character 'h' looking for beginning of value")
        >>> decoder_error(b'{"tags":[]} trailing') is None
        True
        ```
    """
    if not data.strip(_WHITESPACE):
        return "EOF"
    error = syntax_error(data)
    if error is None or error.endswith(_AFTER_TOP_LEVEL):
        return None
    if error == _END_OF_INPUT:
        return "unexpected EOF"
    if error.startswith(_FED_SPACE) and syntax_error(data + b"x") != error:
        # The space was the one fed at the end (another byte there changes the error): the Decoder
        # reports the cut, not the space.
        return "unexpected EOF"
    return error
