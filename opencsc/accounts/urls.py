from django.urls import path

from opencsc.accounts import views, views_sign_in_admin

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("verify/", views.verify, name="verify"),
    path("mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("logout/", views.sign_out, name="logout"),
    path("sign-in-admin/", views_sign_in_admin.index, name="sign_in_admin"),
    path("sign-in-admin/<int:user_id>/enrolment-code/", views_sign_in_admin.issue_code, name="issue_enrolment_code"),
    path("sign-in-admin/<int:user_id>/remove-app/", views_sign_in_admin.reset_request, name="device_reset_request"),
    path("sign-in-admin/removals/<int:request_id>/", views_sign_in_admin.reset_decide, name="device_reset_decide"),
]
