"""Words of Django's admin that its Chinese catalog lacks (Django 5.2): this module only
names them, so that makemessages keeps them in ours and the admin shows them in Chinese.
The JavaScript ones (the two-box picker) are in locale/zh_Hans/LC_MESSAGES/djangojs.po."""

from django.utils.translation import gettext_noop, ngettext

WORDS = [
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Error:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
    # django-simple-history's history table (its catalog lacks it).
    gettext_noop("Changes"),
    # django-import-export's export form (its catalog lacks it).
    gettext_noop("Select all"),
]

# Django's admin phrases whose Chinese reads as a translation ("选择 家庭 来修改", "添加另一个"
# when there is none, "您可以在下面再次编辑它."): our catalog, which comes first, words them as
# a clerk would say them. Their Chinese is in locale/zh_Hans; tests/test_i18n.py checks it.
REWORDED = [
    gettext_noop("Select %s to change"),
    gettext_noop("Select %s to view"),
    gettext_noop("Select %s"),
    gettext_noop("Add %s"),
    gettext_noop("Change %s"),
    gettext_noop("View %s"),
    gettext_noop("Add another %(verbose_name)s"),
    gettext_noop("Add another %(model)s"),
    gettext_noop("Change selected %(model)s"),
    gettext_noop("Delete selected %(model)s"),
    gettext_noop("View selected %(model)s"),
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("You may edit it again below."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("Items must be selected in order to perform actions on them. No items have been changed."),
    gettext_noop("No action selected."),
    gettext_noop("Run the selected action"),
    gettext_noop("Click here to select the objects across all pages"),
    gettext_noop("Select all %(total_count)s %(module_name)s"),
    gettext_noop("Clear selection"),
    gettext_noop("0 of %(cnt)s selected"),
    gettext_noop("Save and add another"),
    gettext_noop("Save and continue editing"),
    gettext_noop("Filter"),
    # Below every multiple choice; the two-box picker needs no key held (and 'Control', 'Mac'
    # and 'Command' are words a clerk does not read).
    gettext_noop("Hold down “Control”, or “Command” on a Mac, to select more than one."),
]


def _plural_words(n: int) -> str:  # never called: makemessages reads the plural from here
    return (
        ngettext(
            "This password is too short. It must contain at least %d character.",
            "This password is too short. It must contain at least %d characters.",
            n,
        )
        + ngettext("%(count)s %(name)s was changed successfully.", "%(count)s %(name)s were changed successfully.", n)
        + ngettext("%(total_count)s selected", "All %(total_count)s selected", n)
    )
