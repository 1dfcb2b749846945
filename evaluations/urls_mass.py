"""Mass evaluation URLs: the staff side under /evaluation/, the public's under the short prefix /v/.

The public ballot page is /v/ (the QR link adds the code as a fragment, which never reaches the server);
the page posts the code. The open channel and the suggestion box are /v/o/<code>/ and /v/s/<code>/, by
the evaluated organization's opaque code.
"""

from django.urls import path

from .views import mass_public as public
from .views import mass_staff as staff

urlpatterns = [
    path("evaluation/", staff.round_list, name="mass_rounds"),
    path("evaluation/new/<int:org>/", staff.round_create, name="mass_round_create"),
    path("evaluation/<int:pk>/", staff.round_detail, name="mass_round"),
    path("evaluation/<int:pk>/edit/", staff.round_edit, name="mass_round_edit"),
    path("evaluation/<int:pk>/questions/", staff.round_questions, name="mass_questions"),
    path("evaluation/<int:pk>/open/", staff.round_open, name="mass_round_open"),
    path("evaluation/<int:pk>/close/", staff.round_close, name="mass_round_close"),
    path("evaluation/<int:pk>/ledger/", staff.ledger, name="mass_ledger"),
    path("evaluation/p/<int:pk>/", staff.participant, name="mass_participant"),
    path("evaluation/p/<int:pk>/codes/", staff.codes, name="mass_codes"),
    path("evaluation/p/<int:pk>/paper/", staff.paper, name="mass_paper"),
    path("evaluation/p/<int:pk>/entry/", staff.entry_create, name="mass_entry_create"),
    path("evaluation/p/<int:pk>/rectify/", staff.rectification_create, name="mass_rectification_create"),
    path("evaluation/codes/<int:pk>/void/", staff.batch_void, name="mass_batch_void"),
    path("evaluation/entry/<int:pk>/", staff.entry, name="mass_entry"),
    path("evaluation/rectifications/", staff.rectification_list, name="mass_rectifications"),
    path("evaluation/rectifications/<int:pk>/", staff.rectification, name="mass_rectification"),
    path("evaluation/rectifications/<int:pk>/decide/", staff.rectification_decide, name="mass_rectification_decide"),
    path("v/", public.ballot, name="mass_ballot"),
    path("v/ballot/", public.ballot_submit, name="mass_ballot_submit"),
    path("v/thanks/", public.done, name="mass_done"),
    path("v/o/<str:code>/", public.open_ballot, name="mass_open"),
    path("v/s/<str:code>/", public.suggest, name="mass_suggest"),
]
