"""Amplify's pages: posts for staff who write them, the share page every staff account has,
the leaderboard, and the public tracked link /s/<code>/."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from csp.decorators import csp_update
from django.contrib import messages
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import CONTACTS_OWN, FINANCE_VIEW, PAGES_EDIT
from groundswell.actions.site import page_not_found
from groundswell.analytics.amplify import selectors, services
from groundswell.analytics.amplify.forms import PostForm, RangeForm
from groundswell.analytics.amplify.models import Network, SuggestedPost
from groundswell.analytics.amplify.networks import NETWORK_ORIGINS, post_message, share_url
from groundswell.analytics.amplify.targets import path_is_ours
from groundswell.core.htmx import querystring
from groundswell.core.pagination import paginate

logger = logging.getLogger(__name__)


class _ShareRedirect(HttpResponseRedirect):
    # The e-mail button opens the visitor's mail program.
    allowed_schemes = ["https", "mailto"]


def _tracked_url(request, link) -> str:
    return request.build_absolute_uri(reverse("amplify_public:follow", args=[link.code]))


@capability_required(PAGES_EDIT)
def post_list(request):
    archived = request.GET.get("show") == "archived"
    page = paginate(
        selectors.posts_for_staff(user=request.user, archived=archived), request.GET.get("page"), 25
    )
    context = {"page": page, "archived": archived, "qs": querystring(request, page=None)}
    return render(request, "analytics/amplify/post_list.html", context)


def _post_form(request, post: SuggestedPost | None):
    form = PostForm(request.POST or None, post=post)
    if request.method == "POST" and form.is_valid():
        services.post_save(
            post=post, data=form.cleaned_data, actor=request.user, ip_address=client_ip(request)
        )
        messages.success(
            request, "Saved. Volunteers see it on their Amplify page while it is active."
        )
        return redirect("analytics:amplify:post_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "analytics/amplify/post_form.html", {"form": form, "post": post}, status=status
    )


@capability_required(PAGES_EDIT)
def post_create(request):
    return _post_form(request, None)


@capability_required(PAGES_EDIT)
def post_edit(request, pk: int):
    return _post_form(request, get_object_or_404(SuggestedPost, pk=pk))


@require_POST
@capability_required(PAGES_EDIT)
def post_archive(request, pk: int):
    post = get_object_or_404(SuggestedPost, pk=pk)
    services.post_archive(post=post, actor=request.user, ip_address=client_ip(request))
    messages.success(
        request, "Archived: volunteers no longer see it; links already shared still work."
    )
    return redirect("analytics:amplify:post_list")


# A share button posts to us and is redirected to the network; browsers hold that redirect to
# the page's form-action, so the networks' share pages (and the mail program) are allowed here.
SHARE_FORM_ACTION = {"form-action": [*NETWORK_ORIGINS, "mailto:"]}


@csp_update(SHARE_FORM_ACTION)
@capability_required(CONTACTS_OWN)
def share_page(request):
    """Every staff account's own page: the active posts with share buttons, and its figures."""
    range_form = RangeForm(request.GET or None)
    period = range_form.period()
    page = paginate(selectors.posts_active(user=request.user), request.GET.get("page"), 10)
    cards = []
    for post in page.items:
        link = services.share_link_for(post=post, user=request.user)
        cards.append(
            {
                "post": post,
                "message": post_message(post.text, post.hashtag_list),
                "url": _tracked_url(request, link),
                "networks": [(n, Network(n).label) for n in post.networks if n in Network.values],
            }
        )
    context = {
        "cards": cards,
        "page": page,
        "period": period,
        "range_form": range_form,
        "mine": selectors.figures_of(user=request.user, period=period),
        "money": request.user.can(FINANCE_VIEW),
        "qs": querystring(request, page=None),
    }
    return render(request, "analytics/amplify/share.html", context)


@require_POST
@capability_required(CONTACTS_OWN)
def share(request, pk: int):
    """Record the press of a share button, then open the network with the post filled in."""
    post = get_object_or_404(selectors.posts_active(user=request.user), pk=pk)
    network = request.POST.get("network", "")
    if network not in post.networks or network not in Network.values:
        logger.info("amplify share refused: network %r not offered by post %s", network[:20], pk)
        return HttpResponseBadRequest("This post is not offered for that network.")
    link = services.share_link_for(post=post, user=request.user)
    services.share_record(link=link, network=network)
    url = share_url(
        network, text=post.text, hashtags=post.hashtag_list, url=_tracked_url(request, link)
    )
    return _ShareRedirect(url)


@capability_required(CONTACTS_OWN)
def leaderboard(request):
    range_form = RangeForm(request.GET or None)
    period = range_form.period()
    context = {
        "range_form": range_form,
        "period": period,
        "volunteers": selectors.leaderboard_volunteers(
            user=request.user, period=period, page=request.GET.get("vpage")
        ),
        "posts": selectors.leaderboard_posts(
            user=request.user, period=period, page=request.GET.get("ppage")
        ),
        "money": request.user.can(FINANCE_VIEW),
        "qs_v": querystring(request, vpage=None),
        "qs_p": querystring(request, ppage=None),
    }
    return render(request, "analytics/amplify/leaderboard.html", context)


@never_cache
def follow(request, code: str):
    """The public tracked link: count the click, then open our page with the link's refcode."""
    if not services.CODE_PATTERN.match(code):
        logger.info("amplify link refused: malformed code %r", code[:40])
        return page_not_found(request)
    link = selectors.link_get(code=code)
    if link is None or not path_is_ours(link.post.target_path):
        logger.info("amplify link refused: unknown code %r", code)
        return page_not_found(request)
    services.click_record(
        link=link,
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", "")[:1000],
    )
    path = link.post.target_path
    separator = "&" if "?" in path else "?"
    params = {"refcode": link.refcode}
    if link.referral_code:
        params["ref"] = link.referral_code
    response = HttpResponseRedirect(path + separator + urlencode(params))
    # The page is ours; the address of the post the visitor came from is not ours to pass on.
    response["Referrer-Policy"] = "no-referrer"
    return response
