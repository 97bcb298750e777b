"""The personal-information domain's GraphQL fields: revealing a contact's full number."""

from app.schema.contacts import ContactMutations

QUERIES = ()
MUTATIONS = (ContactMutations,)
