"""Drop four single-column indexes that a wider index already covers (each was one more index to
keep up per contact, membership and import issue written). Only the indexes go: the foreign keys
stay as they are (letting Django alter the fields would drop and re-check each constraint)."""

import django.db.models.deletion
from django.db import migrations, models

# (index, table, column): each made by Django for a foreign key before db_index=False.
INDEXES = [
    ("contacts_contact_workspace_id_c425fb7f", "contacts_contact", "workspace_id"),
    ("contacts_groupmembership_contact_id_90b201bc", "contacts_groupmembership", "contact_id"),
    ("contacts_groupmembership_group_id_b011c116", "contacts_groupmembership", "group_id"),
    (
        "contacts_importissue_contact_import_id_6574bf48",
        "contacts_importissue",
        "contact_import_id",
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_language"),
        ("contacts", "0004_custom_field_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" ("{column}")',
                )
                for index, table, column in INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="contact",
                    name="workspace",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contacts",
                        to="accounts.workspace",
                    ),
                ),
                migrations.AlterField(
                    model_name="groupmembership",
                    name="contact",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="contacts.contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="groupmembership",
                    name="group",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="contacts.group",
                    ),
                ),
                migrations.AlterField(
                    model_name="importissue",
                    name="contact_import",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="issues",
                        to="contacts.contactimport",
                    ),
                ),
            ],
        )
    ]
