from django.db import migrations

from dongne.datahub.choices import THEMES


def seed(apps, schema_editor):
    Theme = apps.get_model("datahub", "Theme")
    for code, name, name_en in THEMES:
        Theme.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("datahub", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
