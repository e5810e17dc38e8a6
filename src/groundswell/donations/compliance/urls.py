"""Compliance pages under /finance/: held gifts, best efforts, offline gifts, rule sets."""

from django.urls import path

from groundswell.donations.compliance import views

urlpatterns = [
    path("holds/", views.holds, name="holds"),
    path("holds/<int:pk>/", views.hold_detail, name="hold_detail"),
    path("holds/recompute-totals/", views.totals_rebuild, name="totals_rebuild"),
    path("best-efforts/", views.best_efforts, name="best_efforts"),
    path("best-efforts/<int:pk>/answer/", views.best_efforts_record, name="best_efforts_record"),
    path("offline/new/", views.offline_new, name="offline_new"),
    path("rules/", views.compliance_rules, name="compliance_rules"),
    path("rules/<int:cycle>/", views.compliance_rule_edit, name="compliance_rule_edit"),
]
