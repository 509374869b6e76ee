"""One hierarchy for every failure Polydoc reports.

    PolydocError                      code, message, http_status
    ├── BadRequest (400/422)          invalid input the client can fix
    │   ├── UnsupportedLanguage (422)
    │   └── EmptyFile (422)
    ├── Unauthorized (401)
    ├── NotFound (404)                also for objects of another account
    ├── InsufficientCredits (402)
    ├── Conflict (409)
    ├── Gone (410)                    expired file
    ├── TooLarge (413)
    ├── RateLimited (429)
    ├── FormatError (422)             the document cannot be read or rebuilt
    │   ├── UnsupportedFormat (415)
    │   ├── MalformedDocument (422)   code "malformed"
    │   ├── EncryptedDocument (422)   code "encrypted"
    │   └── HostileDocument (422)     zip bombs, entity tricks: code "hostile_archive" / "xml_entities"
    └── EngineError (502)             the translation engine failed
        ├── EngineTimeout
        ├── EngineUnavailable         code "engine_unavailable"
        ├── EngineBadOutput
        └── Untranslated              every segment came back in the source language

Third-party exceptions are wrapped at the boundary (`raise MalformedDocument(...) from exc`);
the API maps any PolydocError to `{"error": {"code", "message"}}` with its status, and a
failed run stores the same code and message.
"""

from __future__ import annotations


class PolydocError(Exception):
    code: str = "internal_error"
    http_status: int = 500
    default_message: str = "Internal error"

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = message or self.default_message
        if code is not None:
            self.code = code
        super().__init__(self.message)


class BadRequest(PolydocError):
    code = "bad_request"
    http_status = 400
    default_message = "The request is not valid"


class UnsupportedLanguage(BadRequest):
    code = "unsupported_language"
    http_status = 422


class EmptyFile(BadRequest):
    code = "empty_file"
    http_status = 422
    default_message = "The uploaded file is empty"


class Unauthorized(PolydocError):
    code = "unauthorized"
    http_status = 401
    default_message = "Missing or invalid API key"


class Forbidden(PolydocError):
    code = "forbidden"
    http_status = 403
    default_message = "This operation needs the admin token"


class NotFound(PolydocError):
    code = "not_found"
    http_status = 404
    default_message = "Not found"


class InsufficientCredits(PolydocError):
    code = "insufficient_credits"
    http_status = 402
    default_message = "Not enough credits"


class Conflict(PolydocError):
    code = "conflict"
    http_status = 409


class Gone(PolydocError):
    code = "file_expired"
    http_status = 410
    default_message = "The file has expired"


class TooLarge(PolydocError):
    code = "file_too_large"
    http_status = 413
    default_message = "The upload is too large"


class RateLimited(PolydocError):
    code = "rate_limited"
    http_status = 429
    default_message = "Too many requests"

    def __init__(self, message: str | None = None, *, code: str | None = None, retry_after: int = 1) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class FormatError(PolydocError):
    code = "format_error"
    http_status = 422
    default_message = "The document cannot be processed"


class UnsupportedFormat(FormatError):
    code = "unsupported_format"
    http_status = 415
    default_message = "This file format is not supported"


class MalformedDocument(FormatError):
    code = "malformed"
    default_message = "The document is damaged or not what its name says"


class EncryptedDocument(FormatError):
    code = "encrypted"
    default_message = "The document is encrypted"


class HostileDocument(FormatError):
    code = "hostile_archive"
    default_message = "The document exceeds the safety limits"


class EngineError(PolydocError):
    code = "engine_error"
    http_status = 502
    default_message = "The translation engine failed"


class EngineTimeout(EngineError):
    code = "engine_timeout"
    default_message = "The translation engine did not answer in time"


class EngineUnavailable(EngineError):
    code = "engine_unavailable"
    default_message = "The translation engine is unavailable"


class EngineBadOutput(EngineError):
    code = "engine_bad_output"
    default_message = "The translation engine returned unusable output"


class Untranslated(EngineError):
    """Every segment came back in the source language: a run that translated nothing is no success."""

    code = "untranslated"
    default_message = "Nothing was translated: every segment came back in the source language"
