from __future__ import annotations

from django.urls import path

from opencsc.sharing import portal_views, views

app_name = "sharing"
urlpatterns = [
    path("people/<int:person_id>/disclosures/", views.disclosure_log, name="disclosure_log"),
    path("people/<int:person_id>/share/", views.share_start, name="share_start"),
    path("people/<int:person_id>/share/information/", views.share_items, name="share_items"),
    path("people/<int:person_id>/requests/new/", views.request_new, name="request_new"),
    path("people/<int:person_id>/requests/<int:request_id>/reply/", views.request_reply, name="request_reply"),
    path("disclosures/<int:disclosure_id>/", views.disclosure_detail, name="disclosure"),
    path("packs/<str:token>/", views.pack, name="pack"),
    path("requests/", views.request_queue, name="requests"),
    path("requests/<int:request_id>/decide/", views.request_decide, name="request_decide"),
    path("agencies/", views.agency_list, name="agencies"),
    path("agencies/new/", views.agency_edit, name="agency_add"),
    path("agencies/<int:agency_id>/", views.agency_edit, name="agency_edit"),
    path("agencies/<int:agency_id>/contacts/new/", views.contact_add, name="contact_add"),
    path("agreements/new/", views.agreement_edit, name="agreement_add"),
    path("agreements/<int:agreement_id>/", views.agreement_edit, name="agreement_edit"),
    # The council's side of the partner portal (ADR 0029)
    path("contacts/<int:contact_id>/partner-check/", portal_views.check_send, name="check_send"),
    path("partner-checks/", portal_views.checks_sent, name="checks_sent"),
    path("disclosures/<int:disclosure_id>/portal-view/", portal_views.view_create, name="view_create"),
    path("shared-views/<int:view_id>/revoke/", portal_views.view_revoke, name="view_revoke"),
]
