from __future__ import annotations

from django.urls import path

from opencsc.rights import bundle_views, views
from opencsc.rights.disposal import views as disposal_views

app_name = "rights"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.request_new, name="request_new"),
    path("<int:request_id>/", views.detail, name="detail"),
    path("disposal/", disposal_views.batches, name="disposal_batches"),
    path("disposal/prepare/", disposal_views.prepare, name="disposal_prepare"),
    path("disposal/<int:batch_id>/", disposal_views.detail, name="disposal_detail"),
    path("disposal/<int:batch_id>/approve/", disposal_views.approve, name="disposal_approve"),
    path("disposal/<int:batch_id>/carry-out/", disposal_views.carry_out, name="disposal_carry_out"),
    path("disposal/<int:batch_id>/certificate/", disposal_views.certificate, name="disposal_certificate"),
    path("disposal/<int:batch_id>/certificate.csv", disposal_views.certificate_csv, name="disposal_certificate_csv"),
    path("<int:request_id>/identity/", views.verify_identity, name="verify_identity"),
    path("<int:request_id>/subject/", views.link_subject, name="link_subject"),
    path("<int:request_id>/extend/", views.extend, name="extend"),
    path("<int:request_id>/close/", views.close, name="close"),
    path("<int:request_id>/rectify/", views.rectify, name="rectify"),
    path("<int:request_id>/dispute/", views.dispute, name="dispute"),
    path("<int:request_id>/notify/<int:disclosure_id>/", views.notify, name="notify"),
    path("<int:request_id>/restrict/", views.restrict, name="restrict"),
    path("<int:request_id>/restrict/lift/", views.lift_restriction, name="lift_restriction"),
    path("<int:request_id>/bundle/", bundle_views.bundle, name="bundle"),
    path("<int:request_id>/bundle/compile/", bundle_views.bundle_compile, name="bundle_compile"),
    path("<int:request_id>/bundle/accept-all/", bundle_views.redactions_accept_all, name="bundle_accept_all"),
    path("<int:request_id>/bundle/add/", bundle_views.redaction_add, name="bundle_add"),
    path(
        "<int:request_id>/bundle/redactions/<int:redaction_id>/",
        bundle_views.redaction_decide,
        name="bundle_decide",
    ),
    path("<int:request_id>/bundle/preview.pdf", bundle_views.bundle_preview, name="bundle_preview"),
    path("<int:request_id>/bundle/release/", bundle_views.bundle_release, name="bundle_release"),
]
