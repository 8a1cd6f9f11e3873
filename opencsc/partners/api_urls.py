from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from opencsc.partners import api

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("checks/", api.CheckList.as_view(), name="checks"),
    path("checks/<int:check_id>/", api.CheckDetail.as_view(), name="check"),
    path("checks/<int:check_id>/answer/", api.CheckAnswer.as_view(), name="check_answer"),
    path("checks/<int:check_id>/documents/", api.CheckDocuments.as_view(), name="check_documents"),
    path("checks/<int:check_id>/documents/<int:document_id>/", api.CheckDocument.as_view(), name="check_document"),
    path("views/", api.ViewList.as_view(), name="views"),
    path("views/<int:view_id>/", api.ViewDetail.as_view(), name="view"),
    path("referrals/", api.ReferralList.as_view(), name="referrals"),
    path("referrals/<int:referral_id>/", api.ReferralDetail.as_view(), name="referral"),
    path("referrals/<int:referral_id>/documents/", api.ReferralDocuments.as_view(), name="referral_documents"),
    path(
        "referrals/<int:referral_id>/documents/<int:document_id>/",
        api.ReferralDocument.as_view(),
        name="referral_document",
    ),
    re_path(r"", api.not_found, name="not_found"),  # last: anything else is a 404 problem document
]
