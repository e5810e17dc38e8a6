from django.apps import AppConfig


class DonationsConfig(AppConfig):
    name = "groundswell.donations"
    label = "donations"
    verbose_name = "Donations"

    def ready(self) -> None:
        # What this app puts on a person is finance data; people shows it only to roles that
        # may see finance (people never imports donations, so donations declares it there).
        from groundswell.accounts.roles import FINANCE_VIEW
        from groundswell.donations.models import Processor
        from groundswell.people.sensitivity import activity_kind_register, source_register

        for kind in ("donation", "donation_refund", "donation_compliance", "best_efforts_answer"):
            activity_kind_register(kind, capability=FINANCE_VIEW)
        # The sources donations writes on the people and consent changes it creates
        # (donor["source"], IntakeContext.source): each says the person gave.
        for source in (
            *Processor.labels,
            "Donation page",
            "Recurring gift",
            "reattribution",
        ):
            source_register(source, capability=FINANCE_VIEW)
