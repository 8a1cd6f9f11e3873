from django.urls import path

from opencsc.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("verify/", views.verify, name="verify"),
    path("mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("logout/", views.sign_out, name="logout"),
]
