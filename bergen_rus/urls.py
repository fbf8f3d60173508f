from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from measures import forms as measure_forms

from . import views

admin.site.site_header = _("Bergen drug-policy tracker")
admin.site.site_title = _("Bergen drug-policy tracker")
admin.site.index_title = _("Back office")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("measures.api.urls")),
    path("sprak/<slug:code>/", views.choose_language, name="choose_language"),
    path("tilgjengelighet/", views.accessibility_statement, name="accessibility_statement"),
    path(
        "konto/logg-inn/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=measure_forms.LoginForm),
        name="login",
    ),
    path("konto/logg-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "konto/passord/",
        auth_views.PasswordChangeView.as_view(form_class=measure_forms.PasswordChangeForm),
        name="password_change",
    ),
    path("konto/passord/endret/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "konto/glemt-passord/",
        auth_views.PasswordResetView.as_view(form_class=measure_forms.PasswordResetForm),
        name="password_reset",
    ),
    path("konto/glemt-passord/sendt/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "konto/nytt-passord/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=measure_forms.SetPasswordForm),
        name="password_reset_confirm",
    ),
    path("konto/nytt-passord/ferdig/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("", include("measures.urls")),
]
