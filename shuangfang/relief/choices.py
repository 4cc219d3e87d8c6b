"""Code lists of relief casework (domain-reference §5.2, §5.3, §5.8). The monthly-statistics sets
(health, region, departure mode, assistance type, special groups) are the Henan form's categories
(§5.8, [V]); the refusal reasons are the Taizhou local standard's grounds (§5.2, [V])."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    CHECKED = "checked", _("Security checked")
    SCREENED = "screened", _("Screened")
    AT_HOSPITAL = "at_hospital", _("At hospital")
    IN_STATION = "in_station", _("In station")
    REFUSED = "refused", pgettext_lazy("relief", "Refused")
    DEPARTED = "departed", _("Departed")


# A person has at most one case in these states at a station (a database constraint).
OPEN_STATUSES = (
    CaseStatus.REGISTERED,
    CaseStatus.CHECKED,
    CaseStatus.SCREENED,
    CaseStatus.AT_HOSPITAL,
    CaseStatus.IN_STATION,
)
CLOSED_STATUSES = (CaseStatus.REFUSED, CaseStatus.DEPARTED)


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNKNOWN = "unknown", _("Unknown")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    OTHER = "other", _("Other identity document")
    NONE = "none", _("No document")


class Support(models.TextChoices):
    """Subsistence status (实施细则, §5.1)."""

    NONE = "none", _("None")
    DIBAO = "dibao", _("Urban/rural subsistence allowance (dibao)")
    WUBAO = "wubao", _("Five-guarantee support (wubao)")
    UNKNOWN = "unknown", _("Unknown")


class Region(models.TextChoices):
    OWN_PROVINCE = "own_province", _("This province")
    OTHER_PROVINCE = "other_province", _("Another province")
    UNKNOWN = "unknown", _("Unknown")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    CRITICAL = "critical", _("Critically ill")
    MENTAL = "mental", _("Mental illness")
    COGNITIVE = "cognitive", _("Dementia or intellectual disability")
    PHYSICAL = "physical", _("Physical disability")


class EscortUnit(models.TextChoices):
    SELF = "self", _("Came by themselves")
    POLICE = "police", _("Police")
    URBAN_MANAGEMENT = "urban_management", _("Urban management (chengguan)")
    OTHER = "other", _("Other unit or person")


class SecurityResult(models.TextChoices):
    PASSED = "passed", _("Passed, nothing found")
    ITEMS = "items", _("Items found and taken into custody")
    PROHIBITED = "prohibited", _("Prohibited items found")
    REFUSED = "refused", _("Refused the security check")


class SecurityMethod(models.TextChoices):
    GATE = "gate", _("Security gate")
    HANDHELD = "handheld", _("Hand-held detector")
    BOTH = "both", _("Gate and hand-held detector")


class MedicalSign(models.TextChoices):
    """Medical diversion (§5.2, [V]): any of these sends the person to hospital first."""

    MENTAL = "mental", _("Suspected mental disorder")
    INFECTIOUS = "infectious", _("Suspected infectious disease")
    CRITICAL = "critical", _("Critically ill")
    INJURY = "injury", _("Visible injury")


class RefusalReason(models.TextChoices):
    """Non-admission grounds (DB3212/T 1069-2021, Taizhou, §5.2 [V])."""

    REFUSED_CHECK = "refused_check", _("Refuses the security check")
    REFUSED_ITEM_RULES = "refused_item_rules", _("Refuses the item-management rules")
    SELF_SUFFICIENT = "self_sufficient", _("Can solve own food and lodging")
    DEMANDS_CASH = "demands_cash", _("Demands cash and refuses other help")
    FALSE_INFO = "false_info", _("Refuses or falsifies personal information")
    INELIGIBLE = "ineligible", _("Otherwise not eligible")


class ExtensionReason(models.TextChoices):
    MEDICAL = "medical", _("Medical treatment not finished")
    IDENTITY = "identity", _("Identity or family not yet found")
    TRANSPORT = "transport", _("Waiting for transport or escort")
    EPIDEMIC = "epidemic", _("Epidemic control measures")
    PROTECTIVE = "protective", _("Protective assistance (minor or limited capacity)")
    OTHER = "other", _("Other")


class SearchKind(models.TextChoices):
    """Family-search actions (§5.4). The national systems are outside this product: only their
    reference numbers are kept."""

    QUICK_QUERY = "quick_query", _("National system quick query")
    NOTICE_24H = "notice_24h", _("24-hour family-search notice")
    FINGERPRINT = "fingerprint", _("Fingerprints taken by police")
    FACE = "face", _("Face recognition comparison")
    DNA = "dna", _("DNA taken by police")
    OTHER = "other", _("Other search action")


class DepartureMode(models.TextChoices):
    """Departure modes of the Henan monthly form (§5.8, [V])."""

    PLACEMENT = "placement", _("Placement")
    TICKET = "ticket", _("Travel voucher provided")
    SELF_RETURN = "self_return", _("Self return (declaration signed)")
    TERMINATED = "terminated", _("Assistance terminated")
    LEFT = "left", _("Left without notice")
    ESCORTED = "escorted", _("Escorted home")
    COLLECTED = "collected", _("Collected by family or agency")
    DEATH = "death", _("Death")
    OTHER = "other", _("Other")


class AssistanceType(models.TextChoices):
    MEDICAL = "medical", _("Medical assistance")
    EDUCATION = "education", _("Education and correction")
    FOSTER = "foster", _("Foster care")
    LIVING = "living", _("Living assistance")
    RETURN = "return", _("Return assistance")
    TEMPORARY_PLACEMENT = "temporary_placement", _("Temporary placement")
    OTHER = "other", _("Other")


class SpecialGroup(models.TextChoices):
    TRAFFICKING = "trafficking", _("Trafficking victim")
    DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic-violence victim")
    PRISONERS_CHILD = "prisoners_child", _("Child of a prisoner")
    LEFT_BEHIND = "left_behind", _("Left-behind child")
    HK_MACAO_TAIWAN = "hk_macao_taiwan", _("From Hong Kong, Macao or Taiwan")
    FOREIGNER = "foreigner", _("Foreigner")


class TripStatus(models.TextChoices):
    PREPARING = "preparing", _("Preparing")
    APPROVED = "approved", _("Approved")
    EN_ROUTE = "en_route", _("En route")
    HANDED_OVER = "handed_over", _("Handed over")
    DEBRIEFED = "debriefed", _("Debriefed")
    CLOSED = "closed", pgettext_lazy("relief", "Closed")
    CANCELLED = "cancelled", _("Cancelled")


class LetterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", pgettext_lazy("relief", "Sent")
    DELIVERED = "delivered", _("Delivered")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", pgettext_lazy("relief", "Closed")


class DeliveryMethod(models.TextChoices):
    POST = "post", _("Registered post")
    HAND = "hand", _("Handed over during an escort")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail or government system")
    OTHER = "other", _("Other")
