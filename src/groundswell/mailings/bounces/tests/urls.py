"""The site's URLs with the mail webhooks mounted as the lead mounts them in config/urls.py."""

from django.urls import include, path

from groundswell.config.urls import urlpatterns as site

urlpatterns = [path("webhooks/mail/", include("groundswell.mailings.bounces.urls")), *site]
