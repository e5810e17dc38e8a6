"""The role walk's world: a donor with every kind of finance data, and one of every object a
staff URL can point at. Data goes in through the real services wherever one exists."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.utils import timezone

# Synthetic people only: invented names, example.org addresses, 555 numbers.
DONOR = {
    "given_name": "Ottoline",
    "family_name": "Vexbridge",
    "email": "ottoline.vexbridge@example.org",
    "phone": "614-555-0147",
    "address_line1": "12 Example Row",
    "city": "Columbus",
    "state": "OH",
    "postal_code": "43215",
    "employer": "Zyzzogeton Fabrication",
    "occupation": "Quillwright",
    # What the ActBlue parsers put on the donor: where they came from, and the gift's refcode.
    "source": "ActBlue",
    "refcode": "zqx-refcode-771",
}
PRIMARY = datetime(2026, 3, 15, 12, tzinfo=UTC)
GENERAL = datetime(2026, 8, 15, 12, tzinfo=UTC)


def _gift(processor: str, processor_id: str, cents: int, when: datetime, donor: dict, **kw):
    from groundswell.donations.services import ContributionInput, contribution_record

    contribution, _ = contribution_record(
        data=ContributionInput(
            processor=processor,
            processor_id=processor_id,
            amount_cents=cents,
            received_at=when,
            donor=donor,
            **kw,
        )
    )
    contribution.refresh_from_db()
    return contribution


def _finance(finance_user) -> dict:
    """The donor's gifts: held, refunded, resolved by staff, recurring, answered."""
    from groundswell.donations.compliance.best_efforts import best_efforts_answer
    from groundswell.donations.compliance.holds import hold_refund
    from groundswell.donations.models import ComplianceRule, RecurringSeries
    from groundswell.donations.services import contribution_refund

    ComplianceRule.objects.update_or_create(
        committee_id="",
        cycle=2026,
        defaults={"primary_date": date(2026, 6, 2), "general_date": date(2026, 11, 3)},
    )
    held = _gift("actblue", "AB-WALK-1", 432_109, PRIMARY, DONOR, refcode=DONOR["refcode"])
    assert held.held_at is not None, "the walk needs a gift held over the limit"
    stripe = _gift("stripe", "pi_walk_2", 98_765, PRIMARY, DONOR, refcode=DONOR["refcode"])
    contribution_refund(
        processor="stripe", processor_id="pi_walk_2", refund_cents=11_111, refund_key="walk-r1"
    )
    # A second held gift, resolved by staff: a compliance entry on the timeline.
    resolved = _gift("actblue", "AB-WALK-3", 377_777, GENERAL, DONOR)
    hold_refund(contribution=resolved, user=finance_user, reason="over the general limit")
    # A gift without employer, answered later: a best-efforts entry on the timeline.
    bare = {k: v for k, v in DONOR.items() if k not in ("employer", "occupation")}
    unanswered = _gift("actblue", "AB-WALK-4", 25_000, PRIMARY, bare)
    best_efforts_answer(
        contribution=unanswered,
        employer=DONOR["employer"],
        occupation=DONOR["occupation"],
        user=finance_user,
        how="phone",
    )
    series = RecurringSeries.objects.create(
        processor="actblue",
        processor_key="R-WALK-1",
        period="monthly",
        amount_cents=5_309,
        started_at=PRIMARY,
        person_id=held.person_id,
    )
    return {"held": held, "stripe": stripe, "series": series}


def _identity(donor, twin) -> dict:
    from groundswell.identity.models import MergeSuggestion, ResolutionRun, ThresholdRuleSet

    run = ResolutionRun.objects.create(
        started_at=timezone.now(),
        finished_at=timezone.now(),
        status="done",
        backend="duckdb",
        auto_link=0.99,
        review_floor=0.5,
    )
    kind_a, id_a, kind_b, id_b = MergeSuggestion.ordered(("person", donor.pk), ("person", twin.pk))
    suggestion = MergeSuggestion.objects.create(
        run=run,
        kind_a=kind_a,
        id_a=id_a,
        kind_b=kind_b,
        id_b=id_b,
        probability=0.93,
        match_weight=7.5,
        field_weights={"first": 4.1, "last": 6.2, "employer": 5.7, "occupation": 3.3},
    )
    # The rule sets shipped as data (the debate-stage goals).
    goal = ThresholdRuleSet.objects.order_by("pk").first()
    return {"suggestion": suggestion, "goal": goal}


def _api(donor, tag, finance_user, form) -> dict:
    """The API's URLs over the donor, a tag, a form and a petition they took (the walk sends
    each role's key with every request, so the API answers each role as its pages do)."""
    from groundswell.actions.models import ActionPage, Submission
    from groundswell.api.services import api_key_create
    from groundswell.people.models import Tagging

    key, _ = api_key_create(name="Walk sync", user=finance_user, actor=finance_user)
    tagging, _ = Tagging.objects.get_or_create(person=donor, tag=tag)
    petition = ActionPage.objects.create(
        kind="petition", slug="walk-petition", title="Walk petition", headline="Sign"
    )
    taken = {
        page: Submission.objects.create(
            page=page, token=f"walk-{page.slug}", email=donor.primary_email, person=donor
        )
        for page in (form, petition)
    }
    return {
        "api:form": {"pk": form.pk},
        "api:form_submissions": {"pk": form.pk},
        "api:form_submission": {"pk": form.pk, "taken_pk": taken[form].pk},
        "api:petition": {"pk": petition.pk},
        "api:petition_signatures": {"pk": petition.pk},
        "api:petition_signature": {"pk": petition.pk, "taken_pk": taken[petition].pk},
        "api:person": {"pk": donor.pk},
        "api:person_taggings": {"pk": donor.pk},
        "api:tag": {"pk": tag.pk},
        "api:tag_taggings": {"pk": tag.pk},
        "api:tagging": {"pk": tag.pk, "tagging_pk": tagging.pk},
        "api:key_revoke": {"pk": key.pk},
    }


def _pages() -> dict:
    from groundswell.actions.models import ActionPage, CustomQuestion, IssuePosition, PageVariant
    from groundswell.donations.models import DonationPage

    page = ActionPage.objects.create(slug="walk-signup", title="Walk sign-up", headline="Join")
    return {
        "page": page,
        "question": CustomQuestion.objects.create(page=page, key="shift", label="Shift"),
        "variant": PageVariant.objects.create(page=page, name="B"),
        "position": IssuePosition.objects.create(title="Water", slug="water", summary="Clean"),
        "donation_page": DonationPage.objects.create(slug="walk-give", title="Walk give"),
    }


def _amplify(finance_user) -> dict:
    from groundswell.analytics.amplify.models import Network, SuggestedPost
    from groundswell.analytics.sources.models import AdSpend

    post = SuggestedPost.objects.create(
        text="Walk with us", target_path="/", networks=list(Network.values), created_by=finance_user
    )
    # Spend on the donor's refcode: finance data on the sources and spend pages.
    spend = AdSpend.objects.create(
        refcode=DONOR["refcode"],
        start=PRIMARY.date(),
        end=GENERAL.date(),
        amount_cents=987_65,
        created_by=finance_user,
    )
    return {"post": post, "spend": spend}


def _webhooks(finance_user, contribution) -> dict:
    from groundswell.donations.intake.webhook_auth import webhook_credential_create
    from groundswell.donations.models import WebhookDelivery

    credential, _ = webhook_credential_create(source="actblue", user=finance_user)
    delivery = WebhookDelivery.objects.create(source="actblue", status="accepted", body="{}")
    delivery.contributions.add(contribution)
    return {"credential": credential, "delivery": delivery}


def _people(tmp_path) -> dict:
    from groundswell.people import merge
    from groundswell.people.imports import job_create
    from groundswell.people.models import Person, Tag
    from groundswell.people.tests.factories import person_create

    # Someone who may be the donor (same name, employer) but is not linked to any gift.
    twin = person_create(
        given_name="Ottoline",
        family_name="Vexbridge",
        email="o.vexbridge@example.org",
        state="OH",
        tags="phone bank",
    )
    Person.objects.filter(pk=twin.pk).update(
        employer=DONOR["employer"], occupation=DONOR["occupation"]
    )
    gone = person_create(given_name="Wendel", family_name="Quorn", state="OH")
    record = merge.person_merge(survivor=twin, merged=gone)
    csv_path = tmp_path / "people.csv"
    csv_path.write_text("email,first_name\nwalk@example.org,Walk\n")
    job = job_create(path=str(csv_path), original_name="people.csv")
    return {
        "twin": twin,
        "merge": record,
        "job": job,
        "tag": Tag.objects.get(name="phone bank"),
    }


def _segments(finance_user) -> dict:
    """A segment the donor is in (by state), and one over giving that only finance may see."""
    from groundswell.segments.services import segment_create

    ohio = segment_create(
        name="Walk: Ohio",
        definition={"op": "and", "items": [{"kind": "state", "states": ["OH"]}]},
        actor=finance_user,
    )
    segment_create(
        name="Walk: donors",
        definition={"op": "and", "items": [{"kind": "gift_total", "min": 1}]},
        actor=finance_user,
    )
    return {"segment": ohio}


def _mailings(donor) -> dict:
    """A sender, a draft mailing to a segment of everyone, and the donor's delivery of it."""
    from groundswell.mailings.models import Delivery, Mailing, SenderIdentity
    from groundswell.segments.models import Segment

    sender = SenderIdentity.objects.create(
        from_name="Walk Campaign",
        from_address="walk@campaign.example.org",
        postal_address="PO Box 1, Columbus, OH 43215",
        is_default=True,
    )
    segment = Segment.objects.create(name="Walk everyone", definition={})
    mailing = Mailing.objects.create(
        name="Walk mailing", sender=sender, segment=segment, subject="Hi", html="<p>Hi</p>"
    )
    delivery = Delivery.objects.create(mailing=mailing, person=donor, address=DONOR["email"])
    return {"mailing": mailing, "sender": sender, "delivery": delivery, **_tracking(delivery)}


def _welcome(sender) -> dict:
    """A welcome series with one message (a mailing of its own, without a segment)."""
    from groundswell.mailings.models import Mailing
    from groundswell.mailings.welcome.models import WelcomeSeries, WelcomeStep

    series = WelcomeSeries.objects.create(name="Walk welcome", sender=sender)
    mailing = Mailing.objects.create(
        name="Walk welcome · step 1", sender=sender, subject="Welcome", html="<p>Hi</p>"
    )
    step = WelcomeStep.objects.create(series=series, mailing=mailing)
    return {"series": series, "step": step}


def _tracking(delivery) -> dict:
    """The delivery's signed open-pixel and click addresses, split into their URL arguments."""
    from groundswell.mailings.tracking import link_wrap_for, open_url

    link = "https://campaign.example.org/a/join/"
    delivery.mailing.tracked_links = [link]
    delivery.mailing.save(update_fields=["tracked_links"])
    base = "https://campaign.example.org"
    token, link_id, sig = link_wrap_for(base_url=base, token=delivery.token, links=[link])(
        link
    ).split("/")[-4:-1]
    pixel = open_url(base_url=base, token=delivery.token).rsplit("/", 1)[1].removesuffix(".gif")
    return {
        "click": {"token": token, "link_id": link_id, "sig": sig},
        "open": {"token": delivery.token, "sig": pixel},
    }


def _events(donor) -> dict:
    """An event with one shift, the donor on its roster (rosters must not show their giving)."""
    from groundswell.events.models import Attendance, Event, Shift

    event = Event.objects.create(
        title="Walk canvass", slug="walk-canvass", event_type="canvass", zip_code="43215"
    )
    shift = Shift.objects.create(event=event, starts_at=PRIMARY, ends_at=GENERAL)
    attendance = Attendance.objects.create(shift=shift, person=donor)
    return {"event": event, "shift": shift, "attendance": attendance}


def _planning(donor, pages) -> None:
    """The donor answered the participation form (the "Water" issue) and signed up through
    variant B, so message planning splits them into its segments (the donor rung and split are
    for finance roles). Stored as received and matched: processing would subscribe and tag the
    donor, changing what other pages show."""
    from groundswell.actions.models import ActionPage, Exposure, Submission

    form = ActionPage.objects.create(
        kind=ActionPage.Kind.PARTICIPATION, slug="walk-join", title="Walk join", headline="Help"
    )
    answers = {"help": ["share"], "help_other": "", "issues": ["water"]}
    Submission.objects.create(
        page=form, token="walk-1", email=DONOR["email"], person=donor, data={"answers": answers}
    )
    Exposure.objects.create(variant=pages["variant"], visitor="walk-visitor")
    Submission.objects.create(
        page=pages["page"],
        token="walk-2",
        email=DONOR["email"],
        person=donor,
        variant=pages["variant"],
    )


def donor_world(tmp_path, *, finance_user, other_user) -> dict:
    """Seed the world; ``urls`` holds the kwargs of every staff URL that takes any."""
    money = _finance(finance_user)
    donor = money["held"].person
    donor.refresh_from_db()
    assert donor.employer == DONOR["employer"], "the donor's employer must be on the person"
    people = _people(tmp_path)
    identity = _identity(donor, people["twin"])
    pages = _pages()
    hooks = _webhooks(finance_user, money["held"])
    segment = _segments(finance_user)["segment"]
    mailings = _mailings(donor)
    welcome = _welcome(mailings["sender"])
    events = _events(donor)
    _planning(donor, pages)
    shared = _amplify(finance_user)
    amplify, spend = shared["post"], shared["spend"]
    urls = {
        "analytics:amplify:post_edit": {"pk": amplify.pk},
        "analytics:amplify:post_archive": {"pk": amplify.pk},
        "analytics:amplify:share": {"pk": amplify.pk},
        "analytics:spend_delete": {"pk": spend.pk},
        "accounts:user_role": {"pk": other_user.pk},
        "accounts:user_active": {"pk": other_user.pk},
        "people:detail": {"pk": donor.pk},
        "people:edit": {"pk": donor.pk},
        "people:email_add": {"pk": donor.pk},
        "people:phone_add": {"pk": donor.pk},
        "people:address_add": {"pk": donor.pk},
        "people:email_status": {"email_id": donor.emails.get().pk},
        "people:phone_sms": {"phone_id": donor.phones.get().pk},
        "people:tag_add": {"pk": donor.pk},
        "staff:person_share_link_make": {"pk": donor.pk},
        "people:tag_remove": {"pk": people["twin"].pk, "tag_id": people["tag"].pk},
        "people:merge_pick": {"pk": donor.pk},
        "people:merge_compare": {"pk": donor.pk, "other_pk": people["twin"].pk},
        "people:merge_undo": {"merge_id": people["merge"].pk},
        "people:contact_delete": {
            "pk": donor.pk,
            "kind": "address",
            "contact_id": donor.addresses.get().pk,
        },
        "people:contact_primary": {
            "pk": donor.pk,
            "kind": "email",
            "contact_id": donor.emails.get().pk,
        },
        "people:remove": {"pk": donor.pk},
        "people:import_job": {"job_id": people["job"].pk},
        "people:import_mapping": {"job_id": people["job"].pk},
        "people:import_progress": {"job_id": people["job"].pk},
        "people:import_errors_csv": {"job_id": people["job"].pk},
        "people:import_resume": {"job_id": people["job"].pk},
        "staff:page_detail": {"pk": pages["page"].pk},
        "staff:page_edit": {"pk": pages["page"].pk},
        "staff:page_publish": {"pk": pages["page"].pk},
        "staff:page_submissions": {"pk": pages["page"].pk},
        "staff:question_create": {"pk": pages["page"].pk},
        "staff:question_edit": {"pk": pages["page"].pk, "question_id": pages["question"].pk},
        "staff:question_delete": {"pk": pages["page"].pk, "question_id": pages["question"].pk},
        "staff:question_move": {"pk": pages["page"].pk, "question_id": pages["question"].pk},
        "staff:variant_create": {"pk": pages["page"].pk},
        "staff:variant_edit": {"pk": pages["page"].pk, "variant_id": pages["variant"].pk},
        "staff:variant_toggle": {"pk": pages["page"].pk, "variant_id": pages["variant"].pk},
        "staff:variant_keep": {"pk": pages["page"].pk, "variant_id": pages["variant"].pk},
        "staff:position_edit": {"position_id": pages["position"].pk},
        "staff:position_delete": {"position_id": pages["position"].pk},
        "staff:position_move": {"position_id": pages["position"].pk},
        "donations:contribution_detail": {"pk": money["held"].pk},
        "donations:contribution_refund": {"pk": money["stripe"].pk},
        "donations:donor_detail": {"donor": f"p:{donor.pk}"},
        "analytics:chart_csv": {"chart": "range"},
        "analytics:lapsed": {"kind": "sybunt"},
        "analytics:donor_changes": {"kind": "upgraded"},
        "analytics:lapsed_segment": {"kind": "sybunt"},
        "analytics:audiences:segment": {"pk": segment.pk},
        "analytics:audiences:segment_file": {"pk": segment.pk, "platform": "meta"},
        "analytics:audiences:donors_file": {"platform": "google"},
        "donations:hold_detail": {"pk": money["held"].pk},
        "donations:best_efforts_record": {"pk": money["held"].pk},
        "donations:compliance_rule_edit": {"cycle": 2026},
        "donations:donation_page_detail": {"pk": pages["donation_page"].pk},
        "donations:donation_page_edit": {"pk": pages["donation_page"].pk},
        "donations:donation_page_publish": {"pk": pages["donation_page"].pk},
        "donations:recurring_detail": {"pk": money["series"].pk},
        "donations:recurring_cancel": {"pk": money["series"].pk},
        "donations:webhook_credential_revoke": {"pk": hooks["credential"].pk},
        "donations:webhook_delivery": {"pk": hooks["delivery"].pk},
        "identity:review_decide": {"pk": identity["suggestion"].pk},
        "identity:progress": {"slug": identity["goal"].slug},
        "identity:goal_edit": {"slug": identity["goal"].slug},
        "identity:goal_delete": {"slug": identity["goal"].slug},
        "identity:goal_activate": {"slug": identity["goal"].slug},
        **{
            f"segments:{name}": {"pk": segment.pk}
            for name in ("detail", "count", "duplicate", "delete", "snapshot", "export")
        },
        "mailings:detail": {"pk": mailings["mailing"].pk},
        "mailings:edit": {"pk": mailings["mailing"].pk},
        "mailings:progress": {"pk": mailings["mailing"].pk},
        "mailings:test": {"pk": mailings["mailing"].pk},
        "mailings:send": {"pk": mailings["mailing"].pk},
        "mailings:control": {"pk": mailings["mailing"].pk, "action": "pause"},
        "mailings:sender_edit": {"pk": mailings["sender"].pk},
        **{
            f"mailings:{name}": {"pk": mailings["mailing"].pk}
            for name in ("abtest", "abtest_start", "abtest_cancel")
        },
        "mailings:preview": {"pk": mailings["mailing"].pk},
        "mailings:welcome_detail": {"pk": welcome["series"].pk},
        "mailings:welcome_edit": {"pk": welcome["series"].pk},
        "mailings:welcome_step_create": {"pk": welcome["series"].pk},
        "mailings:welcome_step_edit": {"pk": welcome["series"].pk, "step_pk": welcome["step"].pk},
        "mailings:welcome_control": {"pk": welcome["series"].pk, "action": "pause"},
        "mailings:welcome_step_delete": {
            "pk": welcome["series"].pk,
            "step_pk": welcome["step"].pk,
        },
        "mailings:welcome_step_preview": {"pk": welcome["step"].pk},
        "mailings:welcome_step_test": {"pk": welcome["step"].pk},
        "mailings_public:unsubscribe": {"token": mailings["delivery"].token},
        "mailings_public:open": mailings["open"],
        "mailings_public:click": mailings["click"],
        **{
            f"events_staff:{name}": {"pk": events["event"].pk}
            for name in ("detail", "edit", "publish", "cancel", "approve", "decline")
        },
        **{
            f"events_staff:{name}": {"pk": events["event"].pk}
            for name in ("host", "host_revoke", "host_resend")
        },
        "events_staff:roster": {"pk": events["event"].pk, "shift_id": events["shift"].pk},
        "events_staff:walk_in": {"pk": events["event"].pk, "shift_id": events["shift"].pk},
        "events_staff:kiosk": {"pk": events["event"].pk},
        "events_staff:mark": {
            "pk": events["event"].pk,
            "shift_id": events["shift"].pk,
            "attendance_id": events["attendance"].pk,
        },
        "events_staff:ladder_next": {"kind": "signers-to-donors"},
        "events_staff:volunteer_profile": {"person_id": donor.pk},
        "events_staff:volunteer_assign": {"person_id": donor.pk},
        **_api(donor, people["tag"], finance_user, pages["page"]),
        "api:event": {"pk": events["event"].pk},
        "api:event_attendances": {"pk": events["event"].pk},
        "api:event_attendance": {
            "pk": events["event"].pk,
            "attendance_pk": events["attendance"].pk,
        },
    }
    return {"donor": donor, "urls": urls, **people, **money, **identity, **pages}
