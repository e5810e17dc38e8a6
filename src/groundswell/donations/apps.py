from django.apps import AppConfig


class DonationsConfig(AppConfig):
    name = "groundswell.donations"
    label = "donations"
    verbose_name = "Donations"

    def ready(self) -> None:
        # Imported here, not at the top: apps.py loads before the app registry is ready, and
        # these modules import models.
        # What this app puts on a person is finance data; people shows it only to roles that
        # may see finance (people never imports donations, so donations declares it there).
        from groundswell.accounts.roles import FINANCE_VIEW
        from groundswell.donations.models import Processor
        from groundswell.people.extensions import merge_hook_register, person_panel_register
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
        # The person page's giving card, for finance roles only (the query is not even run for
        # others), and the donor totals that must follow gifts when people merge.
        person_panel_register(
            "giving",
            template="donations/_person_giving.html",
            context=_person_giving_panel,
            column="details",
            capability=FINANCE_VIEW,
        )
        merge_hook_register(
            "donations", after_merge=_donor_totals_recount, after_undo=_donor_totals_recount
        )
        # Gifts are kept by law: a donor is erased (not deleted), keeping what reports need.
        from groundswell.donations import erasure
        from groundswell.people.extensions import person_removal_register

        person_removal_register(
            "donations", blockers=erasure.person_removal_blockers, erase=erasure.person_erase
        )
        # The public site (actions, below this app) links to our donation pages and asks for a
        # gift after every action through its registries.
        from groundswell.actions.site import donation_pages_source_set, thanks_ask_source_set
        from groundswell.donations.pages.donate import donation_pages_list, thanks_ask_build

        donation_pages_source_set(donation_pages_list)
        thanks_ask_source_set(thanks_ask_build)


# Both import when called: apps.py is loaded before the app registry can load models.
def _person_giving_panel(*, request, person) -> dict:
    from groundswell.donations.selectors_person import person_giving

    return {"giving": person_giving(person_id=person.pk)}


def _donor_totals_recount(*, record, **_) -> None:
    # Contribution limits count per donor: the gifts that just moved must count toward their
    # new person's totals (and no longer toward the old one's), in the merge's transaction.
    from groundswell.donations.compliance.limits import donor_totals_rebuild

    donor_totals_rebuild(donor_keys=[f"p:{record.survivor_id}", f"p:{record.merged_id}"])
