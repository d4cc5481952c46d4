"""Bootstrap 5 form fields written in Python, for the pages opened all day long.

crispy-forms renders each field through a dozen template includes (≈ 5 ms a field): the relay
list's five filters cost more than its 25 rows. `as_field` writes the same markup as
crispy-bootstrap5's `field.html` for the plain widgets (text, number, date, e-mail, textarea,
select); any other widget (checkbox, radio, file…) is left to crispy. `as_form` is `|crispy`
for a form of such fields: its form-wide errors, its hidden fields, then each field.
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms, template
from django.forms.widgets import Input
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

PLAIN_WIDGETS = (forms.Textarea, forms.Select, Input)
OWN_TEMPLATE_WIDGETS = (
    forms.CheckboxInput,
    forms.RadioSelect,
    forms.CheckboxSelectMultiple,
    forms.FileInput,
    forms.MultiWidget,
)


def _is_plain(field: forms.BoundField) -> bool:
    widget = field.field.widget
    return isinstance(widget, PLAIN_WIDGETS) and not isinstance(widget, OWN_TEMPLATE_WIDGETS)


def _widget(field: forms.BoundField) -> SafeString:
    widget = field.field.widget
    css = "form-select" if isinstance(widget, forms.Select) else "form-control"
    classes = [widget.attrs.get("class", ""), type(widget).__name__.lower(), css]
    attrs = {}
    if field.errors:
        classes.append("is-invalid")
        attrs["aria-invalid"] = "true"
        described = [f"{field.auto_id}_error"]
        if field.help_text:
            described.append(f"{field.auto_id}_helptext")
        attrs["aria-describedby"] = " ".join(described)
    attrs["class"] = " ".join(c for c in classes if c)
    return field.as_widget(attrs=attrs)


@register.filter
def as_field(field: forms.BoundField) -> SafeString:
    """One field as crispy-bootstrap5 writes it: label (star when required), widget, errors."""
    if not _is_plain(field):
        return as_crispy_field(field)
    if field.is_hidden:
        return field.as_widget()
    required = field.field.required
    label = format_html(
        '<label for="{}" class="form-label{}">{}{}</label>',
        field.id_for_label,
        " requiredField" if required else "",
        field.label,
        mark_safe('<span class="asteriskField">*</span>') if required else "",
    )
    errors = ""
    if field.errors:
        errors = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            field.auto_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((i, field.auto_id, e) for i, e in enumerate(field.errors, start=1)),
            ),
        )
    help_text = ""
    if field.help_text:
        help_text = format_html(
            '<div id="{}_helptext" class="form-text">{}</div>',
            field.auto_id,
            mark_safe(field.help_text),  # noqa: S308 — help texts are ours, as crispy's |safe
        )
    return format_html(
        '<div id="div_{}" class="mb-3">{}{}{}{}</div>',
        field.auto_id,
        label if field.label else "",
        _widget(field),
        errors,
        help_text,
    )


@register.filter
def as_form(form: forms.Form) -> SafeString:
    """`|crispy` for a form of plain fields; crispy itself for any other."""
    if not all(_is_plain(f) or f.is_hidden for f in form):
        return as_crispy_form(form)
    parts = []
    if form.non_field_errors():
        parts.append(
            format_html(
                '<div class="alert alert-block alert-danger" role="alert"><ul class="m-0">{}</ul>'
                "</div>",
                format_html_join("", "<li>{}</li>", ((e,) for e in form.non_field_errors())),
            )
        )
    parts.extend(as_field(f) for f in form.hidden_fields())
    parts.extend(as_field(f) for f in form.visible_fields())
    return mark_safe(" ".join(parts))  # noqa: S308 — each part is escaped above
