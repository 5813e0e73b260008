"""Personal data leaves the system on purpose (PIPL Art. 6, 51, 55).

Every download that carries names, ID numbers or phones — an admin export, a report that
lists people, the binder, passbooks, postings, an appeal's answer — asks why first
(`DisclosureFields`, one form for all of them); the log of reports and exports keeps the
answer. The file says who took it, when and why: a light diagonal mark under every PDF page
(`MarkedCanvas`) and each sheet's printed header of an .xlsx, with the workbook's properties
(`mark_workbook`); a CSV only on request, as a first line (its readers take the first line
for the header). An .xlsx can be locked with a password (`encrypt_xlsx`: Office's own
encryption, which Excel and WPS open without anything installed); the password is never
stored, logged or put in an address."""

import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib import colors
from reportlab.pdfgen import canvas as pdf_canvas

from federation.core import pdf_font
from federation.core.exporting import can_see_identity
from federation.core.models import ExportPurpose, Town
from federation.core.scoping import scope_for

# Offered until the town keeps its own list (on the town's page).
DEFAULT_PURPOSES = (
    gettext_lazy("Report to the county federation"),
    gettext_lazy("Home visits"),
    gettext_lazy("Two-cancer aid application"),
    gettext_lazy("Points posting"),
    gettext_lazy("Inspection binder"),
    gettext_lazy("Organising an activity"),
)
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 (no 0/O, 1/l/I)
PASSWORD_MIN = 8
# An .xlsx's header and footer hold 255 characters in all.
HEADER_PURPOSE_CHARS = 60
MARK_GREY = colors.Color(0.55, 0.55, 0.55)
MARK_FORM = "FederationMark"


@dataclass(frozen=True)
class Disclosure:
    """What one file says about itself: who took it, when, and why; and the password it is
    locked with, which goes nowhere but into the encryption."""

    who: str
    at: datetime
    purpose: str = ""
    password: str = ""
    csv_note: bool = False

    @classmethod
    def of(cls, user, purpose: str = "", **kwargs) -> "Disclosure":
        return cls(who=person_of(user), at=timezone.localtime(), purpose=purpose, **kwargs)

    def text(self, purpose_chars: int | None = None) -> str:
        """吴秀英（taiba）2026-12-07 14:03导出，用途：入户走访"""
        values = {"who": self.who, "when": f"{self.at:%Y-%m-%d %H:%M}"}
        if not self.purpose:
            return _("Taken by %(who)s on %(when)s") % values
        purpose = self.purpose if purpose_chars is None else self.purpose[:purpose_chars]
        return _("Taken by %(who)s on %(when)s, purpose: %(purpose)s") % {**values, "purpose": purpose}

    def log_fields(self) -> dict:
        return {"purpose": self.purpose[:200], "encrypted": bool(self.password)}


def person_of(user) -> str:
    if user is None or not getattr(user, "pk", None):
        return _("the server (command)")
    name, login = user.get_full_name(), user.get_username()
    return f"{name}（{login}）" if name and name != login else login


def purposes_for(user) -> list[str]:
    """The purposes of the towns the user works in, or the defaults while they keep none."""
    if user is None:
        return [str(name) for name in DEFAULT_PURPOSES]
    names = ExportPurpose.objects.filter(town__in=scope_for(user).visible_town_ids).values_list("name", flat=True)
    return list(dict.fromkeys(names)) or [str(name) for name in DEFAULT_PURPOSES]


def must_encrypt(user) -> bool:
    """The town's rule: a user who sees whole ID numbers and phones takes lists of people as a
    locked .xlsx only, where one of her towns says so."""
    if not can_see_identity(user):
        return False
    return Town.objects.filter(pk__in=scope_for(user).visible_town_ids, encrypt_full_identity_exports=True).exists()


def new_password() -> str:
    """Twelve characters nobody misreads, in threes: kqa-7Hm-Tx3-pWe."""
    chars = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 3] for i in range(0, 12, 3))


class DisclosureFields(forms.Form):
    """The questions asked before a file of people leaves: its purpose (the town's list, or in
    the user's words), and for an .xlsx a password; for a CSV, whether its first line says who
    took it. A form of its own (the report and binder downloads, passbooks, postings) or mixed
    into another (the admin's export form).

    `kinds`: the file formats the form may make; `personal`: the file lists people (without
    it, nothing is asked)."""

    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), required=False)
    detail = forms.CharField(
        label=gettext_lazy("Purpose in your words"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("Who the file is for and what for: 给县妇联报送2024年两癌救助名单."),
    )
    encrypt = forms.BooleanField(label=gettext_lazy("Lock the Excel file with a password"), required=False)
    password = forms.CharField(
        label=gettext_lazy("Password to open the file"),
        required=False,
        max_length=64,
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}),
        help_text=gettext_lazy(
            "A password was made up for you; you may type your own (8 characters or more). It is not kept: "
            "write it down, and tell it to whoever gets the file by phone or in person, never in the same "
            "chat as the file."
        ),
    )
    csv_note = forms.BooleanField(
        label=gettext_lazy("Say who took the CSV in its first line"),
        required=False,
        help_text=gettext_lazy("Some programs then read that line as the header: leave it off for a CSV to import."),
    )
    DISCLOSURE_FIELDS = ("purpose", "detail", "encrypt", "password", "csv_note")

    def __init__(self, *args, user=None, personal: bool = True, kinds=("csv", "xlsx"), **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.personal, self.kinds = user, personal, tuple(kinds)
        self.required_encryption = personal and "xlsx" in self.kinds and must_encrypt(user)
        if not personal:
            for name in self.DISCLOSURE_FIELDS:
                del self.fields[name]
            return
        other = _("Other (write it below)")
        self.fields["purpose"].choices = [("", other), *((name, name) for name in purposes_for(user))]
        if "xlsx" in self.kinds:
            self.fields["password"].initial = new_password()
            self.fields["encrypt"].initial = self.required_encryption
            if self.required_encryption:
                self.fields["encrypt"].help_text = _("Your town asks for it: a list with whole ID numbers and phones.")
        else:
            del self.fields["encrypt"], self.fields["password"]
        if "csv" not in self.kinds:
            del self.fields["csv_note"]

    def disclosure_bound_fields(self):
        return [self[name] for name in self.DISCLOSURE_FIELDS if name in self.fields]

    def clean_disclosure(self, kind: str) -> None:
        """Check the answers for a file of `kind` (csv, xlsx, pdf); errors go on the fields."""
        if not self.personal:
            return
        data = self.cleaned_data
        if not data.get("purpose") and not data.get("detail", "").strip():
            self.add_error("purpose", _("Choose what the file is for, or write it in your words."))
        if kind != "xlsx" and data.get("encrypt"):
            self.add_error("encrypt", _("Only an Excel (.xlsx) file can be locked: choose Excel."))
        if self.required_encryption and kind == "csv":
            self.add_error(
                None,
                _(
                    "Your town asks that lists with whole ID numbers and phones leave as a locked Excel file: "
                    "choose Excel and a password."
                ),
            )
        if kind == "xlsx" and self.required_encryption and not data.get("encrypt"):
            self.add_error("encrypt", _("Your town asks for it: tick it and keep the password."))
        if kind == "xlsx" and data.get("encrypt") and len(data.get("password") or "") < PASSWORD_MIN:
            self.add_error("password", _("Give a password of 8 characters or more."))

    def disclosure(self, kind: str) -> Disclosure:
        """The file's disclosure, from a valid form (a file not of people: who and when only)."""
        if not self.personal:
            return Disclosure.of(self.user)
        data = self.cleaned_data
        purpose, detail = data.get("purpose") or "", data.get("detail", "").strip()
        text = f"{purpose}：{detail}" if purpose and detail else purpose or detail
        locked = kind == "xlsx" and data.get("encrypt")
        return Disclosure.of(
            self.user,
            text,
            password=data["password"] if locked else "",
            csv_note=kind == "csv" and bool(data.get("csv_note")),
        )


class DisclosureForm(DisclosureFields):
    """The questions alone, for a download whose format is already chosen (`kind`)."""

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, kinds=(kind,), **kwargs)
        self.kind = kind

    def clean(self):
        data = super().clean()
        self.clean_disclosure(self.kind)
        return data


def ask(request, admin_site, kind: str, *, personal: bool, what: str):
    """The disclosure of a download whose format is chosen: for a file of people, from the
    answers posted (`DisclosureForm`), or else the page that asks (a response to return);
    for a file of figures, who and when only. The page posts back to the same address (its
    query holds the file's choices); the password never goes into an address."""
    if not personal:
        return Disclosure.of(request.user)
    form = DisclosureForm(request.POST if request.method == "POST" else None, user=request.user, kind=kind)
    if form.is_valid():
        return form.disclosure(kind)
    context = {
        **admin_site.each_context(request),
        "title": _("What is the file for?"),
        "what": what,
        "kind": kind,
        "form": form,
    }
    return TemplateResponse(request, "admin/federation/disclosure.html", context)


def encrypt_xlsx(file, password: str):
    """The .xlsx in `file` locked with `password` (ECMA-376 agile encryption, AES-256: what
    Excel and WPS write and open), in a new temporary file, rewound; `file` is closed."""
    import msoffcrypto.format.ooxml  # only a download with a password loads it

    locked = tempfile.TemporaryFile()
    with file:
        msoffcrypto.format.ooxml.OOXMLFile(file).encrypt(password, locked)
    locked.seek(0)
    return locked


class MarkedCanvas(pdf_canvas.Canvas):
    """A canvas that lays the disclosure's mark under each page's content: light, diagonal,
    repeated across the page, drawn once in the file (a form) and placed on every page."""

    def __init__(self, *args, disclosure: Disclosure | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.disclosure = disclosure

    def showPage(self):
        if self.disclosure is not None:
            if not self.hasForm(MARK_FORM):  # asked of the file: a canvas may replay its pages
                self._define_mark()
            # Under the content: the mark's operators go first in the page (as ReportLab
            # moves its crop marks), so the table is drawn over it.
            start = len(self._code)
            self.doForm(MARK_FORM)
            self._code[:] = self._code[start:] + self._code[:start]
        super().showPage()

    def _define_mark(self):
        width, height = self._pagesize
        font, size = pdf_font.register(), 9
        text = pdf_font.printable(self.disclosure.text())
        self.beginForm(MARK_FORM, lowerx=0, lowery=0, upperx=width, uppery=height)
        self.saveState()
        self.setFont(font, size)
        self.setFillColor(MARK_GREY)
        self.setFillAlpha(0.35)
        self.translate(width / 2, height / 2)
        self.rotate(30)
        span = self.stringWidth(text, font, size) + 48
        reach = (width**2 + height**2) ** 0.5 / 2
        for row in range(int(-reach // 110), int(reach // 110) + 1):
            x = -reach - (row % 2) * span / 2
            while x < reach:
                self.drawString(x, row * 110, text)
                x += span
        self.restoreState()
        self.endForm()
