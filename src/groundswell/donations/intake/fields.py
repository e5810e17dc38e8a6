"""The donor details a gift keeps, named as ``people.intake.FIELDS`` names them.

Every path that records a gift with the donor as given (our pages, offline gifts, the
best-efforts answers staff record) keeps these, so the donor snapshot has one shape.
"""

DONOR_FIELDS = (
    "given_name",
    "family_name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "employer",
    "occupation",
)
