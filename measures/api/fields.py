"""Serializer fields the API's records share: a status with its Norwegian and English labels, a page's address."""

from django.utils import translation
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..status import NOT_REPORTED


def labels(label):
    """{'nb': …, 'en': …} for a lazily translated text."""
    result = {}
    for language in ("nb", "en"):
        with translation.override(language):
            result[language] = str(label)
    return result


class LabelSerializer(serializers.Serializer):
    """A coded value with its labels, as the pages and reports print them."""

    code = serializers.CharField(help_text="The stable code (what the filters take).")
    nb = serializers.CharField(help_text="The label in Norwegian bokmål.")
    en = serializers.CharField(help_text="The label in English.")


@extend_schema_field(LabelSerializer)
class LabelledChoiceField(serializers.Field):
    """A choice (a TextChoices value) as {code, nb, en}; an empty value is null, or `empty` when one is given (a
    measure nobody has reported on is «not_reported»)."""

    def __init__(self, choices, *, empty=None, **kwargs):
        self.choices = choices
        self.empty = empty
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return super().get_attribute(instance) or ""  # not None: DRF would write null without asking us

    def to_representation(self, value):
        if not value:
            return self.empty
        return {"code": value, **labels(self.choices(value).label)}


class OptionalUrlField(serializers.URLField):
    """A web address that may be missing: null rather than an empty string (which is no URI)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return value or None


NOT_REPORTED_VALUE = {"code": NOT_REPORTED.value, **labels(NOT_REPORTED.label)}


@extend_schema_field({"type": "string", "format": "uri"})
class PageUrlField(serializers.Field):
    """The absolute address of the record's page on the site (its get_absolute_url)."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, value):
        return self.context["request"].build_absolute_uri(value.get_absolute_url())
