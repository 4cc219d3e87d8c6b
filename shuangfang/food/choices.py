"""Code lists of the kitchen (domain-reference §4.5)."""

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class LicenceKind(models.TextChoices):
    BUSINESS = "business", _("Business licence")
    FOOD = "food", _("Food business licence")
    INSPECTION = "inspection", _("Inspection report")
    OTHER = "other", _("Other certificate")


class FoodCategory(models.TextChoices):
    GRAIN = "grain", _("Grain and oil")
    MEAT = "meat", _("Meat and poultry")
    AQUATIC = "aquatic", _("Fish and seafood")
    EGG_DAIRY = "egg_dairy", _("Eggs and dairy")
    VEGETABLE = "vegetable", _("Vegetables and fruit")
    SOY = "soy", _("Soy products")
    SEASONING = "seasoning", _("Seasonings")
    PACKAGED = "packaged", _("Packaged food")
    OTHER = "other", _("Other")


class StorageClass(models.TextChoices):
    AMBIENT = "ambient", _("Ambient")
    CHILLED = "chilled", _("Chilled")
    FROZEN = "frozen", _("Frozen")


COLD_CLASSES = (StorageClass.CHILLED, StorageClass.FROZEN)


class StockMoveKind(models.TextChoices):
    """What took food out of storage: used in cooking (出库领用) or discarded (报废: spoiled, past its
    use-by date)."""

    USED = "used", _("Used")
    DISCARDED = "discarded", _("Discarded")


class MealKind(models.TextChoices):
    BREAKFAST = "breakfast", _("Breakfast")
    LUNCH = "lunch", _("Lunch")
    DINNER = "dinner", _("Dinner")
    EXTRA = "extra", _("Extra meal")


# When a kitchen is set up, its meal windows start here (the kitchen changes them; not a standard).
DEFAULT_MEAL_ENDS = {
    MealKind.BREAKFAST: dt.time(9, 0),
    MealKind.LUNCH: dt.time(13, 0),
    MealKind.DINNER: dt.time(19, 0),
}


class FridgeKind(models.TextChoices):
    FRIDGE = "fridge", _("Refrigerator")
    FREEZER = "freezer", _("Freezer")
    SAMPLE = "sample", _("Sample refrigerator")


class SampleStatus(models.TextChoices):
    KEPT = "kept", _("Kept")
    DISPOSED = "disposed", _("Disposed of")


class DisinfectionMethod(models.TextChoices):
    CABINET = "cabinet", _("Disinfection cabinet")
    BOILING = "boiling", _("Boiling")
    STEAM = "steam", _("Steam")
    CHEMICAL = "chemical", _("Chemical (chlorine) soak")
    OTHER = "other", _("Other")


class RuleKey(models.TextChoices):
    """Thresholds the app enforces; each a row with its source (``rules.DEFAULTS``)."""

    SAMPLE_MIN_WEIGHT = "sample_min_weight_g", _("Minimum sample weight (g)")
    SAMPLE_KEEP_HOURS = "sample_keep_hours", _("Sample kept at least (hours)")
    REMIND_DAYS = "expiry_remind_days", _("Remind before a certificate expires (days)")
    NEAR_USE_BY_DAYS = "near_use_by_days", _("Flag food this many days before its use-by date")
    FRIDGE_MIN = "fridge_min_c", _("Refrigerator lowest (°C)")
    FRIDGE_MAX = "fridge_max_c", _("Refrigerator highest (°C)")
    FREEZER_MAX = "freezer_max_c", _("Freezer highest (°C)")
    CORE_TEMP_MIN = "core_temp_min_c", _("Core temperature of cooked food at least (°C)")


class RuleSource(models.TextChoices):
    STANDARD = "standard", _("National rule")
    PRODUCT = "product", _("Product default")
    SITE = "site_setting", _("Site setting")


class Confidence(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    UNCERTAIN = "uncertain", _("Not re-verified")


# A refrigerator without a sensor has two readings a day: the morning one before this hour, the
# afternoon one from it (the cook's page and the assessment indicator count the same slots).
NOON = 12
