from django.urls import path

from groundswell.api import views, views_actions, views_events, views_keys

app_name = "api"

urlpatterns = [
    path("v2/", views.entry, name="entry"),
    path("v2/docs/", views.docs, name="docs"),
    path("v2/openapi.json", views.openapi, name="openapi"),
    path("v2/people/", views.people, name="people"),
    path("v2/people/<int:pk>/", views.person, name="person"),
    path("v2/people/<int:pk>/taggings/", views.person_taggings, name="person_taggings"),
    path("v2/tags/", views.tags, name="tags"),
    path("v2/tags/<int:pk>/", views.tag, name="tag"),
    path("v2/tags/<int:pk>/taggings/", views.tag_taggings, name="tag_taggings"),
    path("v2/tags/<int:pk>/taggings/<int:tagging_pk>/", views.tagging, name="tagging"),
    path("v2/petitions/", views_actions.petitions, name="petitions"),
    path("v2/petitions/<int:pk>/", views_actions.petition, name="petition"),
    path(
        "v2/petitions/<int:pk>/signatures/",
        views_actions.petition_signatures,
        name="petition_signatures",
    ),
    path(
        "v2/petitions/<int:pk>/signatures/<int:taken_pk>/",
        views_actions.petition_signature,
        name="petition_signature",
    ),
    path("v2/forms/", views_actions.forms, name="forms"),
    path("v2/forms/<int:pk>/", views_actions.form, name="form"),
    path("v2/forms/<int:pk>/submissions/", views_actions.form_submissions, name="form_submissions"),
    path(
        "v2/forms/<int:pk>/submissions/<int:taken_pk>/",
        views_actions.form_submission,
        name="form_submission",
    ),
    path("v2/events/", views_events.events, name="events"),
    path("v2/events/<int:pk>/", views_events.event, name="event"),
    path(
        "v2/events/<int:pk>/attendances/", views_events.event_attendances, name="event_attendances"
    ),
    path(
        "v2/events/<int:pk>/attendances/<int:attendance_pk>/",
        views_events.event_attendance,
        name="event_attendance",
    ),
    # Staff: issue and revoke keys.
    path("keys/", views_keys.key_list, name="keys"),
    path("keys/new/", views_keys.key_create, name="key_create"),
    path("keys/<int:pk>/revoke/", views_keys.key_revoke, name="key_revoke"),
]
