from django.urls import include, path

urlpatterns = [
    path("", include("opencsc.home.urls")),
    path("", include("opencsc.core.urls")),
    path("account/", include("opencsc.accounts.urls")),
    path("people/", include("opencsc.people.urls")),
    path("", include("opencsc.privacy.urls")),
    path("sharing/", include("opencsc.sharing.urls")),
    path("casework/", include("opencsc.casework.urls")),
    path("audit/", include("opencsc.audit.urls")),
    path("cpis/", include("opencsc.cpis.urls")),
    path("returns/", include("opencsc.returns.urls")),
    path("rights/", include("opencsc.rights.urls")),
    path("insight/", include("opencsc.insight.urls")),
    path("ask-us/", include("opencsc.rights.public_urls")),
    path("partners/", include("opencsc.partners.urls")),
    path("documents/", include("opencsc.documents.urls")),
    path("api/v1/", include("opencsc.partners.api_urls")),
    path("", include("opencsc.ops.urls")),
    path("standard-data/", include("opencsc.standard_data.urls")),
]

handler400 = "opencsc.core.views.bad_request"
handler404 = "opencsc.core.views.not_found"
handler403 = "opencsc.core.views.forbidden"
handler500 = "opencsc.core.views.server_error"
