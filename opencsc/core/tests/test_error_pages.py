"""No page, in any mode, is one of Django's debug pages: an unknown address, a record that does not
exist, a refusal and a crash all get the council's own page, with DEBUG on (the laptop demo) as
with DEBUG off (production)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path

from opencsc.core.views import bad_request, forbidden, not_found, server_error  # noqa: F401 (handlers below)

pytestmark = pytest.mark.django_db

DEBUG_MARKERS = (
    "Django tried these URL patterns",
    "Traceback",
    "DEBUG = True",
    "NONE,NOARCHIVE",
    "technical",
    "Request Method:",
)


def _boom(request):
    raise RuntimeError("a bug with a secret in it: 9990000018")


def _refuse(request):
    raise PermissionDenied


urlpatterns = [
    path("boom/", _boom),
    path("refuse/", _refuse),
    path("", include("opencsc.config.urls")),
]
handler400 = "opencsc.core.views.bad_request"
handler403 = "opencsc.core.views.forbidden"
handler404 = "opencsc.core.views.not_found"
handler500 = "opencsc.core.views.server_error"

CASES = [
    ("/no-such-page/", 404, "Page not found"),
    ("/people/999999/", 404, "Page not found"),
    ("/refuse/", 403, ""),
    ("/boom/", 500, "Sorry, there is a problem with the service"),
]


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG on (demo)", "DEBUG off"])
@pytest.mark.parametrize(("url", "status", "heading"), CASES)
def test_council_page_never_a_debug_page(settings, social_worker, client_for, debug, url, status, heading):
    settings.DEBUG = debug
    settings.ROOT_URLCONF = __name__
    for client in (client_for(social_worker), Client()):
        client.raise_request_exception = False
        response = client.get(url)
        if response.status_code == 302:  # signed out: the sign-in page first, for any address
            continue
        html = response.content.decode()
        assert response.status_code == status, (url, response.status_code)
        for marker in DEBUG_MARKERS:
            assert marker not in html, (url, marker)
        assert "9990000018" not in html
        assert "govuk-header" in html
        if heading:
            assert f'<h1 class="govuk-heading-l">{heading}</h1>' in html


def test_an_unknown_address_with_debug_on_is_the_council_404_for_anyone(settings):
    settings.DEBUG = True
    response = Client().get("/static-nothing/here")
    assert response.status_code in (302, 404)
    if response.status_code == 404:
        assert "URL patterns" not in response.content.decode()
