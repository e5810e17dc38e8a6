"""The one error a definition raises (re-exported by ``segments.definition``)."""


class DefinitionError(ValueError):
    """A definition that cannot be used, with a message a staff member can act on."""
