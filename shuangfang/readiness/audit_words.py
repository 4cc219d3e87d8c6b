"""The words of this app's audit actions (``core.audit``): what the audit trail shows."""

from django.utils.translation import gettext_lazy

from shuangfang.core import audit

audit.register_actions(
    {
        "readiness.accountability": gettext_lazy("Accountability record"),
        "readiness.attachment_add": gettext_lazy("File attached to a drill or training session"),
        "readiness.certificate_add": gettext_lazy("Certificate added"),
        "readiness.course_save": gettext_lazy("Course saved"),
        "readiness.defaults": gettext_lazy("Default courses and requirements added"),
        "readiness.drill_cancel": gettext_lazy("Drill cancelled"),
        "readiness.drill_evaluate": gettext_lazy("Drill evaluated"),
        "readiness.drill_plan": gettext_lazy("Drill planned"),
        "readiness.drill_record": gettext_lazy("Drill recorded"),
        "readiness.drill_sign_in": gettext_lazy("Signed in to a drill"),
        "readiness.follow_up_done": gettext_lazy("Follow-up task done"),
        "readiness.letter_amend": gettext_lazy("Responsibility letter changed"),
        "readiness.letter_issue": gettext_lazy("Responsibility letter issued"),
        "readiness.letter_revoke": gettext_lazy("Responsibility letter revoked"),
        "readiness.letter_sign": gettext_lazy("Responsibility letter signed"),
        "readiness.mark_attendance": gettext_lazy("Attendance marked"),
        "readiness.meeting": gettext_lazy("Analysis meeting recorded"),
        "readiness.notice_ack": gettext_lazy("Responsibility notice acknowledged"),
        "readiness.notice_send": gettext_lazy("Responsibility notice sent"),
        "readiness.plan_create": gettext_lazy("Emergency plan created"),
        "readiness.plan_revise": gettext_lazy("Emergency plan revised"),
        "readiness.quiz": gettext_lazy("Quiz answered"),
        "readiness.requirement_save": gettext_lazy("Training requirement saved"),
        "readiness.session_close": gettext_lazy("Training session closed"),
        "readiness.session_create": gettext_lazy("Training session created"),
        "readiness.setting": gettext_lazy("Readiness setting changed"),
        "readiness.sign_in": gettext_lazy("Signed in to a training"),
        "readiness.spot_rule": gettext_lazy("Spot-check rule saved"),
        "readiness.spot_tasks": gettext_lazy("Spot-check tasks planned"),
        "readiness.supply_create": gettext_lazy("Emergency supply added"),
        "readiness.supply_move": gettext_lazy("Emergency supply issued or restocked"),
        "readiness.template_save": gettext_lazy("Letter template saved"),
    }
)
audit.register_fields({"tasks": gettext_lazy("tasks made")})
