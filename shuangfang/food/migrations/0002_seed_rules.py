from django.db import migrations


def seed(apps, schema_editor):
    from shuangfang.food.rules import seed_rules

    seed_rules(apps.get_model("food", "FoodRule"))


class Migration(migrations.Migration):
    dependencies = [("food", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
