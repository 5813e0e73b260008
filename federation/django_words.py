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
]


def _plural_words(n: int) -> str:  # never called: makemessages reads the plural from here
    return ngettext(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        n,
    )
