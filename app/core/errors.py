class FormError(Exception):
    """A rule broken by the submitted values; shown next to ``field`` in the form. ``field`` may be a
    tuple when the rule concerns several fields (an overlap: start and end): the message is shown at
    the first, and every one of them is marked invalid and described by it."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message
