"""The manual (帮助): a short Chinese manual inside the admin, one page per section, with the
pages' own screenshots.

Each section is a template of plain Chinese prose, admin/federation/help/<slug>.html (the
product is Chinese-only: the prose is not in the catalog), whose pictures are the browser
tests' screenshots (federation/static/federation/manual/*.png, taken by ``make manual``:
tests/e2e/journey.py ``manual_shot``). tests/federation/test_help.py checks that the two agree.

The 帮助 link in every page's header opens the manual at the section of the page it was
clicked on (``?page=<that page's path>``): PAGE_SECTIONS below is the one place that says which.
"""

from dataclasses import dataclass

from django.contrib.admin.sites import AdminSite
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Section:
    slug: str
    title: Promise
    # The section is "yours" on the contents page when you hold any of these permissions
    # (none: everyone's). The others are listed after, and open for everyone.
    permissions: tuple[str, ...] = ()

    @property
    def template(self) -> str:
        return f"admin/federation/help/{self.slug}.html"

    def is_for(self, user) -> bool:
        return not self.permissions or any(user.has_perm(permission) for permission in self.permissions)


SECTIONS = (
    Section("start", _("Logging in and the home page")),
    Section("people", _("People and households"), ("federation.view_person",)),
    Section("import", _("Importing a roster"), ("federation.import_person", "federation.import_household")),
    Section("activities", _("Activities and honours"), ("federation.view_activity",)),
    Section("points", _("Points supermarket: awarding and redeeming points"), ("points.view_pointentry",)),
    Section("screening", _("Two-cancer screening and aid"), ("health.view_screening",)),
    Section("hpv", _("HPV vaccination of girls"), ("health.view_hpvdose",)),
    Section("care", _("Care and support"), ("aid.view_caretarget",)),
    Section("disputes", _("Mediating marriage and family disputes"), ("aid.view_disputecase",)),
    Section(
        "submissions",
        _("Submitting and approving the ledgers"),
        ("federation.add_periodsubmission", "federation.review_periodsubmission"),
    ),
    Section("reports", _("Reports, the annual summary and the ledger binder"), ("federation.view_reports",)),
    Section("staff", _("Staff and roles (town administrator)"), ("auth.add_user",)),
    Section("glossary", _("Glossary")),
)
BY_SLUG = {section.slug: section for section in SECTIONS}

# Which section the 帮助 link of a page opens: by the page's model ("app_label.model_name"),
# else by its app, else by its URL name; the contents when none says.
PAGE_SECTIONS = {
    "index": "start",
    "password_change": "start",
    "password_change_done": "start",
    "federation.person": "people",
    "federation.household": "people",
    "federation.village": "people",
    "federation.town": "people",
    "federation.importrecord": "import",
    "federation.activity": "activities",
    "federation.honor": "activities",
    "crafts": "activities",
    "points": "points",
    "health.screening": "screening",
    "health.canceraidapplication": "screening",
    "health.insurancepolicy": "screening",
    "health.hpvgirl": "hpv",
    "health.hpvdose": "hpv",
    "aid": "care",
    "aid.disputecase": "disputes",
    "federation.periodsubmission": "submissions",
    "reports": "reports",
    "binder": "reports",
    "federation.reportlog": "reports",
    "federation.recordaccess": "glossary",
    "auth": "staff",
}
# A roster's import pages (federation/importing/views.py names them <app>_<model>_import…)
# are the import section's, whatever the list they import into.
IMPORT_VIEWS = ("import", "import_template", "import_job", "import_errors")


def section_for_page(path: str, admin_site: AdminSite) -> str | None:
    """The slug of the section that explains the admin page at `path`, if one does."""
    if not path.startswith("/"):
        return None
    try:
        match = resolve(path.partition("?")[0])
    except Resolver404:
        return None
    name = match.url_name or ""
    if name in ("help", "help_section"):
        return match.kwargs.get("section")
    if name == "app_list":
        return PAGE_SECTIONS.get(match.kwargs.get("app_label", ""))
    for model in admin_site._registry:
        opts = model._meta
        prefix = f"{opts.app_label}_{opts.model_name}_"
        if name.startswith(prefix):
            if name.removeprefix(prefix) in IMPORT_VIEWS:
                return "import"
            return PAGE_SECTIONS.get(f"{opts.app_label}.{opts.model_name}") or PAGE_SECTIONS.get(opts.app_label)
    return PAGE_SECTIONS.get(name)


def help_view(request: HttpRequest, admin_site: AdminSite, section: str | None = None) -> HttpResponse:
    """The manual's contents, or one section of it. ``?page=<path>`` (the header's 帮助 link)
    goes on to the section of that page."""
    if section is None and (page := request.GET.get("page")):
        found = section_for_page(page, admin_site)
        if found in BY_SLUG:
            return redirect("admin:help_section", section=found)
    current = BY_SLUG.get(section) if section is not None else None
    if section is not None and current is None:
        raise Http404(_("The manual has no such section."))
    yours = [item for item in SECTIONS if item.is_for(request.user)]
    context = {
        **admin_site.each_context(request),
        "title": current.title if current else pgettext_lazy("manual", "Help"),
        "sections": SECTIONS,
        "yours": yours,
        "others": [item for item in SECTIONS if item not in yours],
        "current": current,
        "help_url": reverse("admin:help"),
    }
    if current is None:
        return TemplateResponse(request, "admin/federation/help/index.html", context)
    index = SECTIONS.index(current)
    context.update(
        previous=SECTIONS[index - 1] if index > 0 else None,
        next=SECTIONS[index + 1] if index + 1 < len(SECTIONS) else None,
    )
    return TemplateResponse(request, current.template, context)
