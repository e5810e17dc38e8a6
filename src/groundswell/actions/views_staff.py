"""The page builder: action pages, their questions and copy variants, submissions, the campaign
site's settings and the platform editor. Every view needs the PAGES_EDIT capability, except the
person page's referrals card and its share-link button (people's capabilities)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import capability_required
from groundswell.accounts.roles import PAGES_EDIT, PEOPLE_EDIT, PEOPLE_VIEW
from groundswell.actions import builder, selectors
from groundswell.actions.choices import PAGE_FIELDS
from groundswell.actions.forms import (
    ActionPageForm,
    IssuePositionForm,
    QuestionForm,
    SiteForm,
    VariantForm,
)
from groundswell.actions.models import ActionPage, CustomQuestion, IssuePosition, PageVariant
from groundswell.actions.services import referral_code_for, site_get
from groundswell.actions.site import donate_href
from groundswell.core.pagination import paginate
from groundswell.people.models import Person


def _page_urls(request, page: ActionPage) -> dict[str, str]:
    public = request.build_absolute_uri(reverse("public:page", args=[page.slug]))
    origin = request.build_absolute_uri("/").rstrip("/")
    return {
        "public_url": public,
        "embed_snippet": f'<script src="{origin}/embed.js" data-form="{page.slug}" async></script>',
    }


# ---------------------------------------------------------------- action pages


@capability_required(PAGES_EDIT)
def page_list(request):
    page = paginate(selectors.page_list(user=request.user), request.GET.get("page"), per_page=50)
    return render(request, "actions/staff/page_list.html", {"page": page})


@capability_required(PAGES_EDIT)
def page_create(request):
    initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") else None
    form = ActionPageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        page = form.save()
        if page.published:
            messages.success(request, f"Created and published “{page.title}”.")
        else:
            messages.success(
                request,
                f"Created “{page.title}” as a draft: preview it, then publish it when it is ready.",
            )
        return redirect("staff:page_detail", pk=page.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "actions/staff/page_form.html", {"form": form}, status=status)


@capability_required(PAGES_EDIT)
def page_edit(request, pk: int):
    page = get_object_or_404(ActionPage, pk=pk)
    form = ActionPageForm(request.POST or None, instance=page)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved.")
        return redirect("staff:page_detail", pk=page.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "actions/staff/page_form.html", {"form": form, "page": page}, status=status
    )


@capability_required(PAGES_EDIT)
@require_POST
def page_publish(request, pk: int):
    """Publish a draft (publish=1) or take a page back to draft (publish=0)."""
    page = get_object_or_404(ActionPage, pk=pk)
    publish = request.POST.get("publish") == "1"
    if page.published != publish:
        page.published = publish
        page.save(update_fields=["published", "modified_at"])
    if publish:
        messages.success(request, f"“{page.title}” is published: the public can take it now.")
    else:
        messages.success(request, f"“{page.title}” is a draft again: the public form is closed.")
    return redirect("staff:page_detail", pk=page.pk)


@capability_required(PAGES_EDIT)
def page_detail(request, pk: int):
    page = get_object_or_404(ActionPage, pk=pk)
    context = {
        "page": page,
        "questions": list(page.questions.all()),
        "test": selectors.variant_test(page=page),
        "recent": list(selectors.page_submissions(page=page)[:5]),
        "field_modes": [
            (label, mode)
            for name, label in PAGE_FIELDS
            if (mode := page.field_mode(name)) != "hidden"
        ],
        "can_view_people": request.user.can(PEOPLE_VIEW),
        **_page_urls(request, page),
    }
    return render(request, "actions/staff/page_detail.html", context)


@capability_required(PAGES_EDIT)
def page_submissions(request, pk: int):
    page = get_object_or_404(ActionPage, pk=pk)
    submissions = paginate(
        selectors.page_submissions(page=page), request.GET.get("page"), per_page=50
    )
    return render(
        request,
        "actions/staff/submissions.html",
        {
            "page": page,
            "submissions": submissions,
            "can_view_people": request.user.can(PEOPLE_VIEW),
        },
    )


# ---------------------------------------------------------------- custom questions


@capability_required(PAGES_EDIT)
def question_create(request, pk: int):
    page = get_object_or_404(ActionPage, pk=pk)
    form = QuestionForm(request.POST or None, page=page)
    if request.method == "POST" and form.is_valid():
        question = form.save(commit=False)
        question.order = builder.next_order(page.questions.all())
        question.save()
        messages.success(request, f"Added the question “{question.label}”.")
        return redirect(reverse("staff:page_detail", args=[page.pk]) + "#questions")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "actions/staff/question_form.html", {"form": form, "page": page}, status=status
    )


@capability_required(PAGES_EDIT)
def question_edit(request, pk: int, question_id: int):
    question = get_object_or_404(CustomQuestion.objects.select_related("page"), pk=question_id)
    page = question.page
    if page.pk != pk:
        return redirect("staff:question_edit", pk=page.pk, question_id=question.pk)
    form = QuestionForm(request.POST or None, instance=question, page=page)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Question saved.")
        return redirect(reverse("staff:page_detail", args=[page.pk]) + "#questions")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "actions/staff/question_form.html",
        {"form": form, "page": page, "question": question},
        status=status,
    )


@capability_required(PAGES_EDIT)
@require_POST
def question_delete(request, pk: int, question_id: int):
    question = get_object_or_404(CustomQuestion, pk=question_id, page_id=pk)
    question.delete()
    messages.success(
        request,
        f"Removed the question “{question.label}”. Answers already given stay on people's records.",
    )
    return redirect(reverse("staff:page_detail", args=[pk]) + "#questions")


@capability_required(PAGES_EDIT)
@require_POST
def question_move(request, pk: int, question_id: int):
    question = get_object_or_404(CustomQuestion, pk=question_id, page_id=pk)
    builder.question_move(question=question, direction=_direction(request))
    return redirect(reverse("staff:page_detail", args=[pk]) + "#questions")


def _direction(request) -> str:
    return "up" if request.POST.get("direction") == "up" else "down"


# ---------------------------------------------------------------- copy variants


@capability_required(PAGES_EDIT)
def variant_create(request, pk: int):
    page = get_object_or_404(ActionPage, pk=pk)
    first = not page.variants.exists()
    form = VariantForm(
        request.POST or None,
        initial={"headline": page.headline, "intro": page.intro, "button_text": page.button_text},
    )
    if request.method == "POST" and form.is_valid():
        variant = builder.variant_create(page=page, **form.cleaned_data)
        note = " and “Original” (the page's own copy), so both are tested" if first else ""
        messages.success(request, f"Added the variant “{variant.name}”{note}.")
        return redirect(reverse("staff:page_detail", args=[page.pk]) + "#variants")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "actions/staff/variant_form.html",
        {"form": form, "page": page, "first": first},
        status=status,
    )


@capability_required(PAGES_EDIT)
def variant_edit(request, pk: int, variant_id: int):
    variant = get_object_or_404(PageVariant.objects.select_related("page"), pk=variant_id, page=pk)
    form = VariantForm(request.POST or None, instance=variant)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Variant saved.")
        return redirect(reverse("staff:page_detail", args=[pk]) + "#variants")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "actions/staff/variant_form.html",
        {"form": form, "page": variant.page, "variant": variant},
        status=status,
    )


@capability_required(PAGES_EDIT)
@require_POST
def variant_toggle(request, pk: int, variant_id: int):
    variant = get_object_or_404(PageVariant, pk=variant_id, page=pk)
    variant.active = not variant.active
    variant.save(update_fields=["active"])
    if variant.active:
        messages.success(request, f"“{variant.name}” is shown to new visitors again.")
    else:
        messages.success(
            request,
            f"“{variant.name}” is no longer shown to new visitors; its results stay below.",
        )
    return redirect(reverse("staff:page_detail", args=[pk]) + "#variants")


@capability_required(PAGES_EDIT)
@require_POST
def variant_keep(request, pk: int, variant_id: int):
    variant = get_object_or_404(PageVariant.objects.select_related("page"), pk=variant_id, page=pk)
    try:
        stopped = builder.variant_keep(
            page=variant.page,
            variant=variant,
            actor=request.user,
            ip_address=request.META.get("REMOTE_ADDR"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if stopped:
            messages.success(
                request,
                f"Kept “{variant.name}”: every new visitor sees it; "
                f"{stopped} other variant{'s' if stopped != 1 else ''} stopped.",
            )
        else:
            messages.info(request, f"“{variant.name}” was already kept.")
    return redirect(reverse("staff:page_detail", args=[pk]) + "#variants")


# ---------------------------------------------------------------- the campaign site


@capability_required(PAGES_EDIT)
def site_edit(request):
    site = site_get()
    old_logo = site.logo.name if site.logo else ""
    form = SiteForm(request.POST or None, request.FILES or None, instance=site)
    if request.method == "POST" and form.is_valid():
        site = form.save()
        if old_logo and old_logo != (site.logo.name if site.logo else ""):
            default_storage.delete(old_logo)
        messages.success(request, "Site settings saved.")
        return redirect("staff:site")
    status = 400 if request.method == "POST" else 200
    saved = site_get()  # what the public site shows now, not the unsaved form's values
    featured, chosen = selectors.featured_page(site=saved)
    context = {
        "form": form,
        "site": site,
        "donate_href": donate_href(saved),
        "featured": featured,
        "featured_chosen": chosen,
    }
    return render(request, "actions/staff/site_form.html", context, status=status)


# ---------------------------------------------------------------- the platform


@capability_required(PAGES_EDIT)
def platform(request):
    positions = list(selectors.platform_positions(published_only=False))
    return render(request, "actions/staff/platform.html", {"positions": positions})


def _position_form(request, position: IssuePosition | None):
    form = IssuePositionForm(request.POST or None, instance=position)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            # Shown as the public page would show it, without saving anything.
            preview = form.save(commit=False)
        else:
            saved = form.save(commit=False)
            if saved.pk is None:
                saved.order = builder.next_order(IssuePosition.objects.all())
            saved.save()
            messages.success(request, f"Saved “{saved.title}”.")
            return redirect(reverse("staff:platform") + f"#position-{saved.pk}")
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "actions/staff/position_form.html",
        {
            "form": form,
            "position": position,
            "unsaved": preview is not None,
            "preview_list": [preview] if preview else ([position] if position else []),
        },
        status=status,
    )


@capability_required(PAGES_EDIT)
def position_create(request):
    return _position_form(request, None)


@capability_required(PAGES_EDIT)
def position_edit(request, position_id: int):
    return _position_form(request, get_object_or_404(IssuePosition, pk=position_id))


@capability_required(PAGES_EDIT)
@require_POST
def position_delete(request, position_id: int):
    position = get_object_or_404(IssuePosition, pk=position_id)
    position.delete()
    messages.success(request, f"Deleted “{position.title}”.")
    return redirect("staff:platform")


@capability_required(PAGES_EDIT)
@require_POST
def position_move(request, position_id: int):
    position = get_object_or_404(IssuePosition, pk=position_id)
    builder.issue_position_move(position=position, direction=_direction(request))
    return redirect(reverse("staff:platform") + f"#position-{position.pk}")


# ---------------------------------------------------------------- on the person page


def person_referrals_panel(*, request, person) -> dict:
    """The person page's referrals card (see ``people.extensions``; registered in apps.py)."""
    share_url = ""
    # Looked up, never made here: a page view writes nothing (staff make one with a button).
    code = selectors.referral_code_of(person=person) if not person.merged_into_id else ""
    if code:
        # The home page keeps the share code in a cookie, so any form the friend then
        # submits counts the referral.
        share_url = request.build_absolute_uri(reverse("public:home") + f"?ref={code}")
    return {"referrals": selectors.person_referrals(person=person), "share_url": share_url}


@capability_required(PEOPLE_EDIT)
@require_POST
def person_share_link_make(request, pk: int):
    """Give the person a share code (once) for staff to pass on."""
    person = get_object_or_404(Person, pk=pk)
    if person.merged_into_id:
        raise Http404("This person has been merged into someone else; edit them instead.")
    if person.erased_at:
        raise Http404("This person's personal data has been erased.")
    referral_code_for(person)
    return redirect(reverse("people:detail", args=[person.pk]) + "#referrals")
