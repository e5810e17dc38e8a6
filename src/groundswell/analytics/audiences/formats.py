"""The two upload files: their column headers and one row per person.

A person's identifiers arrive as ``Identifiers`` (read by the selectors, opted-out contact
points already left out). Both platforms take up to three e-mail and three phone columns under
the same header, so a person with several addresses is still one row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from groundswell.analytics.audiences import normalise as n

MAX_PER_KIND = 3  # Meta: "up to three separate columns"; Google allows repeated columns too


@dataclass
class Identifiers:
    """One person's contact points as stored (raw text), primary ones first."""

    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    given_name: str = ""
    family_name: str = ""
    postal_code: str = ""
    city: str = ""
    state: str = ""
    country: str = ""


@dataclass(frozen=True)
class Usable:
    """What a person can be matched on, once normalised (shared by both formats)."""

    email: bool
    phone: bool
    name_zip: bool

    @property
    def any(self) -> bool:
        return self.email or self.phone or self.name_zip


def _first(values: list[str], normalise) -> list[str]:
    seen: list[str] = []
    for value in values:
        clean = normalise(value)
        if clean and clean not in seen:
            seen.append(clean)
        if len(seen) == MAX_PER_KIND:
            break
    return seen


def _padded(values: list[str]) -> list[str]:
    return values + [""] * (MAX_PER_KIND - len(values))


def usable(ids: Identifiers) -> Usable:
    """A usable e-mail, phone, or first name + last name + ZIP (Google's mailing-address
    match needs all of these and the country; Meta matches best on the same set)."""
    country = n.country_code(ids.country)
    return Usable(
        email=bool(_first(ids.emails, n.meta_email)),
        phone=bool(_first(ids.phones, n.phone_e164)),
        name_zip=bool(
            n.meta_name(ids.given_name)
            and n.meta_name(ids.family_name)
            and country
            and n.zip_code(ids.postal_code, country)
        ),
    )


class Format:
    key: str
    label: str
    short: str
    headers: list[str]

    def row(self, ids: Identifiers) -> list[str] | None:
        raise NotImplementedError


class MetaFormat(Format):
    """Meta Custom Audience customer list: every column hashed, lowercase headers."""

    key = "meta"
    label = "Meta Custom Audience"
    short = "Meta"
    headers = (
        ["email"] * MAX_PER_KIND
        + ["phone"] * MAX_PER_KIND
        + ["fn", "ln", "zip", "ct", "st", "country"]
    )

    def row(self, ids: Identifiers) -> list[str] | None:
        if not usable(ids).any:
            return None
        country = n.country_code(ids.country)
        plain = (
            _padded(_first(ids.emails, n.meta_email))
            + _padded(_first(ids.phones, n.meta_phone))
            + [
                n.meta_name(ids.given_name),
                n.meta_name(ids.family_name),
                n.zip_code(ids.postal_code, country) if country else "",
                n.meta_city(ids.city),
                n.meta_state(ids.state, country) if country else "",
                country,
            ]
        )
        return [n.sha256_hex(value) for value in plain]


class GoogleFormat(Format):
    """Google Customer Match: e-mail, phone and names hashed; Country and Zip in the clear."""

    key = "google"
    label = "Google Customer Match"
    short = "Google"
    headers = (
        ["Email"] * MAX_PER_KIND
        + ["Phone"] * MAX_PER_KIND
        + ["First Name", "Last Name", "Country", "Zip"]
    )

    def row(self, ids: Identifiers) -> list[str] | None:
        if not usable(ids).any:
            return None
        country = n.country_code(ids.country)
        hashed = (
            _padded(_first(ids.emails, n.google_email))
            + _padded(_first(ids.phones, n.google_phone))
            + [n.google_name(ids.given_name), n.google_name(ids.family_name)]
        )
        # Google's guide: "Country" as the ISO two-letter code and "Zip" are not hashed.
        clear = [country.upper(), n.zip_code(ids.postal_code, country) if country else ""]
        return [n.sha256_hex(value) for value in hashed] + clear


FORMATS: dict[str, Format] = {f.key: f for f in (MetaFormat(), GoogleFormat())}
