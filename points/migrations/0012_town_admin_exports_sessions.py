"""The town administrator exports 兑换活动 as her clerks do: she holds every permission of the
roles she gives her clerks (federation.admin.grantable_groups), and the clerk's role held
this one alone."""

from django.db import migrations

from federation.core.roles import TOWN_ADMIN, grant_permissions


def grant(apps, schema_editor):
    grant_permissions(apps, {TOWN_ADMIN: ["points.export_redemptionevent"]})


class Migration(migrations.Migration):
    dependencies = [("points", "0011_donation_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
