class FormError(Exception):
    """A rule broken by the submitted values; shown next to ``field`` in the form."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message
