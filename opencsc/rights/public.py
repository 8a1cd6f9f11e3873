"""The public "ask us" form: no account, CSRF protected, rate limited per address, a honeypot instead
of a CAPTCHA. A request lands in information governance's queue; the requester gets a reference."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from opencsc.audit.services import Actor, record_event
from opencsc.rights import services
from opencsc.rights.forms import HONEYPOT_FIELD, AskUsForm

_SESSION_KEY = "ask_us_reference"


def _public_actor(request: HttpRequest) -> Actor:
    return Actor(
        id=None,
        name="public:ask_us",
        role="public",
        request_id=getattr(request, "request_id", ""),
        ip_address=request.META.get("REMOTE_ADDR"),
    )


@require_http_methods(["GET", "POST"])
def ask_us(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "rights/ask_us.html", {"form": AskUsForm()})
    actor = _public_actor(request)
    if not services.ask_us_allowed(address=request.META.get("REMOTE_ADDR", "")):
        record_event(actor=actor, action="rights.request_refused_input", outcome="denied", reason="rate limit")
        return render(request, "rights/ask_us_slow_down.html", status=429)
    if request.POST.get(HONEYPOT_FIELD):
        # A person never sees the hidden box: only a robot fills it. Nothing is kept.
        record_event(actor=actor, action="rights.request_refused_input", outcome="denied", reason="honeypot")
        return render(request, "rights/ask_us_sent.html", {"reference": None})
    form = AskUsForm(request.POST)
    if not form.is_valid():
        return render(request, "rights/ask_us.html", {"form": form}, status=400)
    created, _ = services.request_receive(actor=actor, data=form.cleaned_data)
    request.session[_SESSION_KEY] = created.reference
    return redirect("rights_public:sent")


@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    reference = request.session.get(_SESSION_KEY)
    if reference is None:
        return redirect("rights_public:ask_us")
    return render(request, "rights/ask_us_sent.html", {"reference": reference})
