# Indexes for supervision's sweeps over the promised and legal due dates.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_work_items_subject_type'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['status', 'promised_due_date'], name='case_promised_sweep'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['status', 'legal_due_date'], name='case_legal_sweep'),
        ),
    ]
