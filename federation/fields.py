from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Func, Value

from federation.identity import normalize_phone, normalize_text, validate_id_number, validate_phone


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
