from django.urls import path

from .views import bureau, drills, emergency, files, letters, training

app_name = "readiness"

urlpatterns = [
    path("", training.mine, name="mine"),
    path("sessions/", training.sessions, name="sessions"),
    path("institutions/<uuid:uuid>/sessions/new/", training.session_create, name="session_create"),
    path("sessions/<uuid:uuid>/", training.session_detail, name="session"),
    path("sessions/<uuid:uuid>/sign-in/<str:key>/", training.sign_in, name="sign_in"),
    path("sessions/<uuid:uuid>/quiz/", training.quiz, name="quiz"),
    path("sessions/<uuid:uuid>/mark/", training.session_mark, name="session_mark"),
    path("sessions/<uuid:uuid>/close/", training.session_close, name="session_close"),
    path("status/", training.status, name="status"),
    path(
        "institutions/<uuid:uuid>/certificates/new/", training.certificate_create, name="certificate_create"
    ),
    path("certificates/<uuid:uuid>/photo/", training.certificate_photo, name="certificate_photo"),
    path("requirements/", training.requirements, name="requirements"),
    path("drills/", drills.drill_list, name="drills"),
    path("institutions/<uuid:uuid>/drills/new/", drills.drill_create, name="drill_create"),
    path("drills/<uuid:uuid>/", drills.drill_detail, name="drill"),
    path("drills/<uuid:uuid>/record/", drills.drill_record, name="drill_record"),
    path("drills/<uuid:uuid>/sign-in/<str:key>/", drills.drill_sign_in, name="drill_sign_in"),
    path("drills/<uuid:uuid>/evaluate/", drills.drill_evaluate, name="drill_evaluate"),
    path("drills/<uuid:uuid>/cancel/", drills.drill_cancel, name="drill_cancel"),
    path("drills/<uuid:uuid>/photos/", files.drill_photo_add, name="drill_photo_add"),
    path("sessions/<uuid:uuid>/materials/", files.session_material_add, name="session_material_add"),
    path("files/<uuid:uuid>/", files.attachment, name="attachment"),
    path("files/<uuid:uuid>/<str:name>/", files.attachment, name="attachment_size"),
    path("letters/", letters.letter_list, name="letters"),
    path("letters/templates/", letters.templates, name="templates"),
    path("institutions/<uuid:uuid>/letters/generate/", letters.generate, name="generate"),
    path("letters/<uuid:uuid>/", letters.letter_detail, name="letter"),
    path("letters/<uuid:uuid>/sign/", letters.letter_sign, name="letter_sign"),
    path("letters/<uuid:uuid>/letter.pdf", letters.letter_pdf, name="letter_pdf"),
    path("letters/<uuid:uuid>/change/", letters.letter_change, name="letter_change"),
    path("plans/", emergency.plan_list, name="plans"),
    path("institutions/<uuid:uuid>/plans/new/", emergency.plan_create, name="plan_create"),
    path("plans/<uuid:uuid>/", emergency.plan_detail, name="plan"),
    path("supplies/", emergency.supply_list, name="supplies"),
    path("institutions/<uuid:uuid>/supplies/new/", emergency.supply_create, name="supply_create"),
    path("supplies/<uuid:uuid>/move/", emergency.supply_move, name="supply_move"),
    path("bureau/", bureau.overview, name="bureau"),
    path("bureau/meetings/", bureau.meetings, name="meetings"),
    path("bureau/meetings/<uuid:uuid>/", bureau.meeting_detail, name="meeting"),
    path("bureau/follow-ups/<uuid:uuid>/done/", bureau.follow_up_done, name="follow_up_done"),
    path("bureau/notices/", bureau.notices, name="notices"),
    path("notices/<uuid:uuid>/", bureau.receipt, name="receipt"),
    path("bureau/accountability/", bureau.accountability, name="accountability"),
    path(
        "institutions/<uuid:uuid>/accountability/new/",
        bureau.accountability_create,
        name="accountability_create",
    ),
]
