from __future__ import annotations

from django.urls import path

from opencsc.partners import views

app_name = "partners"
urlpatterns = [
    path("", views.portal, name="portal"),
    path("checks/<int:check_id>/", views.check, name="check"),
    path("views/<int:view_id>/", views.shared_view, name="view"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/<int:referral_id>/", views.referral, name="referral"),
    path("documents/<int:document_id>/", views.document, name="document"),
    path("organisation/users/", views.members, name="members"),
    path("organisation/users/<int:user_id>/disable/", views.member_disable, name="member_disable"),
]
