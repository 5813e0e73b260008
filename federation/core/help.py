"""The manual (帮助): a short Chinese manual inside the admin, one page per section, with the
pages' own screenshots.

Each section is a template of plain Chinese prose, admin/federation/help/<slug>.html (the
product is Chinese-only: the prose is not in the catalog), whose pictures are the browser
tests' screenshots (federation/static/federation/manual/*.png, taken by ``make manual``:
tests/e2e/journey.py ``manual_shot``). tests/core/test_help.py checks that the two agree.

The 帮助 link in every page's header opens the manual at the section of the page it was
clicked on (``?page=<that page's path>``): the registry's help_pages say which (each app names
its own pages with its sections).
"""

from django.contrib.admin.sites import AdminSite
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from federation.core.registry import HelpSection, registry

Section = HelpSection

# The core's own sections; each app adds its own (registry.add_help_section in its ready()).
CORE_SECTIONS = (
    (
        Section("start", _("Logging in and the home page"), order=10),
        ("index", "password_change", "password_change_done"),
    ),
    (
        Section("people", _("People and households"), ("federation.view_person",), order=20),
        ("federation.person", "federation.household", "federation.village", "federation.town"),
    ),
    (
        Section("import", _("Importing a roster"), ("federation.import_person", "federation.import_household"), 30),
        ("federation.importrecord",),
    ),
    (
        Section("activities", _("Activities and honours"), ("federation.view_activity",), order=40),
        ("federation.activity", "federation.honor"),
    ),
    (
        Section(
            "submissions",
            _("Submitting and approving the ledgers"),
            ("federation.add_periodsubmission", "federation.review_periodsubmission"),
            order=100,
        ),
        ("federation.periodsubmission",),
    ),
    (
        Section("reports", _("Reports, the annual summary and the ledger binder"), ("federation.view_reports",), 110),
        ("reports", "binder", "federation.reportlog"),
    ),
    (
        Section("privacy", _("Personal data: files that leave, temporary access, the phone code"), order=115),
        ("federation.glassaccess", "federation.secondfactorreset", "second_factor_setup", "second_factor_verify"),
    ),
    (Section("staff", _("Staff and roles (town administrator)"), ("auth.add_user",), order=120), ("auth",)),
    (Section("glossary", _("Glossary"), order=130), ("federation.recordaccess",)),
)


def register_core_sections() -> None:
    for section, pages in CORE_SECTIONS:
        registry.add_help_section(section, pages)


def sections() -> list[Section]:
    return sorted(registry.help_sections.values(), key=lambda section: (section.order, section.slug))


def section_of(slug: str | None) -> Section | None:
    return registry.help_sections.get(slug)


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
        return registry.help_pages.get(match.kwargs.get("app_label", ""))
    for model in admin_site._registry:
        opts = model._meta
        prefix = f"{opts.app_label}_{opts.model_name}_"
        if name.startswith(prefix):
            if name.removeprefix(prefix) in IMPORT_VIEWS:
                return "import"
            pages = registry.help_pages
            return pages.get(f"{opts.app_label}.{opts.model_name}") or pages.get(opts.app_label)
    return registry.help_pages.get(name)


def help_view(request: HttpRequest, admin_site: AdminSite, section: str | None = None) -> HttpResponse:
    """The manual's contents, or one section of it. ``?page=<path>`` (the header's 帮助 link)
    goes on to the section of that page."""
    if section is None and (page := request.GET.get("page")):
        found = section_for_page(page, admin_site)
        if section_of(found) is not None:
            return redirect("admin:help_section", section=found)
    current = section_of(section) if section is not None else None
    if section is not None and current is None:
        raise Http404(_("The manual has no such section."))
    every = sections()
    yours = [item for item in every if item.is_for(request.user)]
    context = {
        **admin_site.each_context(request),
        "title": current.title if current else pgettext_lazy("manual", "Help"),
        "sections": every,
        "yours": yours,
        "others": [item for item in every if item not in yours],
        "current": current,
        "help_url": reverse("admin:help"),
    }
    if current is None:
        return TemplateResponse(request, "admin/federation/help/index.html", context)
    index = every.index(current)
    context.update(
        previous=every[index - 1] if index > 0 else None,
        next=every[index + 1] if index + 1 < len(every) else None,
    )
    return TemplateResponse(request, current.template, context)
