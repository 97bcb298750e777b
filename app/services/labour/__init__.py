"""劳务协作 (decision 0038): villages publish groups of available workers, organisations publish
job postings, and each side is matched to the other with reasons.

- ``supply``: a village's supply groups (counts and skills, no identities);
- ``postings``: an organisation's job postings, edited at a version and closed;
- ``matching``: postings for a supply group and supply groups for a posting, scored with reasons;
- ``events``: the domain's event types.
"""
