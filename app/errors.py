"""Domain errors: a stable English code for programs and a Chinese message for people."""


class DomainError(Exception):
    """A business rule refused the request; nothing was written."""

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, field={self.field!r}, {self.message!r})"


class ValidationError(DomainError):
    code = "invalid"


class NotFoundError(DomainError):
    code = "not_found"


class PermissionDeniedError(DomainError):
    code = "permission_denied"


class ConflictError(DomainError):
    """Someone else changed the record first, or the action was already taken."""

    code = "conflict"


class AuthenticationError(DomainError):
    """Sign-in failed; the message never says whether the account exists."""

    code = "authentication_failed"


class ThrottledError(DomainError):
    """Too many attempts; try again later."""

    code = "throttled"

    def __init__(self, message: str, *, retry_after: int, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
