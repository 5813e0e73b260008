import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Func, Value
from django.utils.translation import gettext_lazy as _

from federation.core.identity import normalize_phone, normalize_text, validate_id_number, validate_phone

# C0 and C1 control characters except tab, newline and carriage return: nobody can see them,
# PostgreSQL refuses NUL in text and an .xlsx cannot hold them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def refuse_control_characters(value) -> None:
    control = CONTROL_CHARACTERS.search(value) if isinstance(value, str) else None
    if control:
        raise ValidationError(
            _(
                "Contains an invisible control character (%(code)s), usually copied from another "
                "program; delete it and type the text again."
            ),
            code="control_character",
            params={"code": f"U+{ord(control.group()):04X}"},
        )


def guard_text_fields(models_) -> None:
    """Give every text field of every model the control-character rule, so that a form, an
    import and a service's full_clean refuse it alike, in an app added next year too."""
    for model in models_:
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField) and not field.choices:
                # Added to the computed list, not to _validators: that one is in migrations.
                if refuse_control_characters not in field.validators:
                    field.validators.append(refuse_control_characters)


class IdNumberField(models.CharField):
    """An ID number: full-width characters, spaces and a lower-case x are folded on input."""

    default_validators = [validate_id_number]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 18)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value or (value.isascii() and value.isalnum() and not value.islower() and "x" not in value):
            return value  # already normal: lookups pass every value of an import through here
        return normalize_text(value)

    def formfield(self, **kwargs):
        # Room for the spaces people type inside the number; to_python removes them.
        kwargs.setdefault("max_length", 30)
        return super().formfield(**kwargs)


class PhoneField(models.CharField):
    default_validators = [validate_phone]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        try:
            return normalize_phone(value)
        except ValidationError:  # the validator reports it with the text as typed
            return normalize_text(value)

    def formfield(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        return super().formfield(**kwargs)


class SecretField(models.CharField):
    """A secret the system keeps and nobody reads (a town's pseudonym key): no form offers it
    (not editable), no export has it (`exporting.is_internal`); a model with history leaves
    it out of its history (`HistoricalRecords(excluded_fields=[...])`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


class YmdText(Func):
    """A date as 'YYYYMMDD' text, for comparing with the birth date inside an ID number."""

    arity = 1
    output_field = models.CharField()

    def as_sql(self, compiler, connection, **extra_context):
        date = self.source_expressions[0]
        return Func(date, Value("YYYYMMDD"), function="TO_CHAR", output_field=self.output_field).as_sql(
            compiler, connection, **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        date = self.source_expressions[0]
        return Func(Value("%Y%m%d"), date, function="STRFTIME", output_field=self.output_field).as_sql(
            compiler, connection, **extra_context
        )
