"""The fixed options of the participation form."""

HELP_OPTIONS = [
    ("volunteer", "Volunteer"),
    ("canvass", "Knock on doors"),
    ("phonebank", "Make phone calls"),
    ("textbank", "Send texts"),
    ("host", "Host an event"),
    ("share", "Share on social media"),
    ("donate", "Donate"),
    ("other", "Something else"),
]
HELP_KEYS = {key for key, _ in HELP_OPTIONS}

# The built-in person fields a page may show, in display order, with their labels.
PAGE_FIELDS = [
    ("given_name", "First name"),
    ("family_name", "Last name"),
    ("email", "E-mail"),
    ("mobile_phone", "Mobile phone"),
    ("address_line1", "Street address"),
    ("city", "City"),
    ("state", "State"),
    ("postal_code", "ZIP code"),
    ("employer", "Employer"),
    ("occupation", "Occupation"),
]
PAGE_FIELD_NAMES = [name for name, _ in PAGE_FIELDS]

# What each kind of page proposes next: the next rung of the ladder of engagement.
NEXT_RUNG = {
    "signup": "donate",
    "petition": "donate",
    "newsletter": "volunteer",
    "participation": "share",
}
