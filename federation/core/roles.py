"""The roles (auth groups) and how each app's migrations grant them permissions."""

TOWN_ADMIN = "镇妇联管理员"
VILLAGE_CLERK = "村妇联专干"
# Reads every report of figures (federation.view_all_figures), opens no record and no list of people.
COUNTY_READER = "县妇联查阅"
# Health records are given apart: a clerk keeps them only with this role as well.
HEALTH_RECORDER = "健康档案录入"
# So are care files of minors and dispute cases (domestic violence needs one more permission).
CARE_RECORDER = "关爱帮扶录入"
# Approves or returns points claims (积分审核): a second person, never the one who recorded them.
POINTS_REVIEWER = "积分审核"
ROLES = (TOWN_ADMIN, VILLAGE_CLERK, COUNTY_READER, HEALTH_RECORDER, CARE_RECORDER, POINTS_REVIEWER)

# Every domain model's permissions: import and export are granted apart from viewing.
DATA_PERMISSIONS = ("add", "change", "delete", "view", "import", "export")


def crud(app_label: str, model: str, actions: str = "add change delete view") -> list[str]:
    return [f"{app_label}.{action}_{model}" for action in actions.split()]


def grant_permissions(apps, grants: dict[str, list[str]]) -> None:
    """Create the role groups if missing and give them permissions ("app.codename").

    Called from data migrations, where permissions of a fresh database do not exist yet:
    create them first, as the post_migrate signal would.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    for role, names in grants.items():
        group = Group.objects.get(name=role)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
