class BusinessRuleError(Exception):
    """A business rule refused an action; the message is French and shown to the user."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
