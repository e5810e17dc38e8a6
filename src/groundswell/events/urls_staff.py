from django.urls import path

from groundswell.events import views_staff as views
from groundswell.events.host import views_staff as views_staff_host
from groundswell.events.ladder import views as views_ladder
from groundswell.events.ladder import views_volunteers

app_name = "events_staff"
urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/new/", views.event_create, name="create"),
    path("events/<int:pk>/", views.event_detail, name="detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="edit"),
    path("events/<int:pk>/publish/", views.event_publish, name="publish"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="cancel"),
    path("events/<int:pk>/approve/", views.event_approve, name="approve"),
    path("events/<int:pk>/decline/", views.event_decline, name="decline"),
    path("events/<int:pk>/shifts/<int:shift_id>/roster/", views.shift_roster, name="roster"),
    path(
        "events/<int:pk>/shifts/<int:shift_id>/walk-in/",
        views.walk_in_add,
        name="walk_in",
    ),
    path(
        "events/<int:pk>/shifts/<int:shift_id>/attendance/<int:attendance_id>/",
        views.attendance_mark,
        name="mark",
    ),
    path("ladder/", views_ladder.ladder_overview, name="ladder"),
    path("ladder/next/<slug:kind>/", views_ladder.ladder_next, name="ladder_next"),
    path("volunteers/", views_volunteers.volunteer_overview, name="volunteers"),
    path("volunteers/asked/", views_volunteers.volunteer_asked, name="volunteers_asked"),
    path(
        "volunteers/people/<int:person_id>/",
        views_volunteers.volunteer_profile,
        name="volunteer_profile",
    ),
    path(
        "volunteers/people/<int:person_id>/assign/",
        views_volunteers.volunteer_assign,
        name="volunteer_assign",
    ),
    path("events/<int:pk>/host/", views_staff_host.host_detail, name="host"),
    path("events/<int:pk>/host/revoke/", views_staff_host.host_revoke, name="host_revoke"),
    path("events/<int:pk>/host/resend/", views_staff_host.host_resend, name="host_resend"),
]

from groundswell.events.relational import views as views_relational  # noqa: E402

urlpatterns += [
    path("contacts/", views_relational.contact_list, name="contacts"),
    path("recruiters/", views_relational.recruiters, name="recruiters"),
    path("events/<int:pk>/kiosk/", views_relational.kiosk, name="kiosk"),
]
