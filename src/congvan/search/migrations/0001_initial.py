from django.db import migrations, models
import django.db.models.deletion

from congvan.search.backends import ddl


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("directory", "0001_initial"),
        ("documents", "0004_file_origin"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                ("document", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                                  related_name="search_entry", serialize=False,
                                                  to="documents.document")),
                ("subject", models.TextField()),
                ("meta", models.TextField(blank=True)),
                ("body", models.TextField(blank=True)),
                ("scope", models.TextField(blank=True)),
                ("agency", models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE,
                                             related_name="+", to="directory.agency")),
                ("doc_type", models.CharField(blank=True, max_length=10)),
                ("doc_date", models.DateField(blank=True, null=True)),
                ("notation", models.CharField(blank=True, max_length=60)),
                ("signer", models.CharField(blank=True, max_length=120)),
            ],
            options={"db_table": "search_entry"},
        ),
        migrations.RunPython(ddl.create, ddl.drop),
    ]
