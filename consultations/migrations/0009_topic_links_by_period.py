"""Each topic marked keeps its consultation's centre and time, for the statistics."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_from_consultations(apps, schema_editor):
    ConsultationTopic = apps.get_model("consultations", "ConsultationTopic")
    Consultation = apps.get_model("consultations", "Consultation")
    consultation = Consultation.objects.filter(pk=OuterRef("consultation_id"))
    ConsultationTopic.objects.update(
        center_id=Subquery(consultation.values("center_id")[:1]),
        received_at=Subquery(consultation.values("received_at")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_audit_denied"),
        ("consultations", "0008_statistics_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="consultationtopic",
            name="center",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.center",
            ),
        ),
        migrations.AddField(
            model_name="consultationtopic",
            name="received_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunPython(copy_from_consultations, migrations.RunPython.noop),
    ]
