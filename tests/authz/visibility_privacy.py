"""The privacy domain in the visibility tests: it owns no kind of object (revealing a contact
reads the kinds of the pairing and trade domains)."""

SOURCES = ()
READ_PATHS = ()
ROWS = ()
