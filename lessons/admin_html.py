"""Admin classes whose forms are valid HTML (the Nu HTML Checker finds no error in them).

Two things Django's admin renders that the checker refuses, mended here for every admin of
the site (`classroom` uses these too):

- An autocomplete select (`autocomplete_fields`) with nothing chosen is an empty `<select>`;
  one that may stay empty has an option with no text; a required one with a value chosen has
  no placeholder first. Each now starts with a "---------" option of empty value, as Django's
  plain selects do.
- A JSON field with a callable default (`default=list`) gets a hidden copy of its first value,
  with the field's `aria-describedby`, which a hidden input may not have. That copy tells a
  changing default apart from the value typed; a list default never changes, so none is made.
"""

from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import models

BLANK = "---------"


class PlaceholderAutocompleteSelect(AutocompleteSelect):
    def optgroups(self, name, value, attrs=None):
        groups = super().optgroups(name, value, attrs)
        options = groups[0][1]
        if options and options[0]["value"] == "":
            options[0]["label"] = BLANK
        else:
            options.insert(0, self.create_option(name, "", BLANK, False, 0))
        return groups


class ValidHTMLMixin(BaseModelAdmin):
    """Put first, before the admin class it mends (a model admin or an inline)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(db_field, models.JSONField):
            field.show_hidden_initial = False
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        widget = getattr(field, "widget", None)
        if type(widget) is AutocompleteSelect:
            widget.__class__ = PlaceholderAutocompleteSelect
        return field


class ModelAdmin(ValidHTMLMixin, admin.ModelAdmin):
    pass


class StackedInline(ValidHTMLMixin, admin.StackedInline):
    pass


class TabularInline(ValidHTMLMixin, admin.TabularInline):
    pass
