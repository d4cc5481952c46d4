"""The project's form renderer: Django's, except that a <select> and an <input> are written
in Python.

Django renders each <option> through its own template include (≈ 0.15 ms each): a filter or
action form with a hundred relays spent 15–25 ms of a page in widget templates; an <input>
cost ≈ 0.2 ms of template includes, a list's filters a dozen of them. The HTML is the same as
Django's `select.html` / `select_option.html` / `input.html` / `input_option.html` /
`attrs.html`; a widget that overrides those templates is still rendered by its templates.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import SafeString, mark_safe

from .jinja import escape_html

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
# Django's widget templates that are `input.html` alone
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in [
        "input",
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    ]
)
INPUT_OPTION_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html" for name in ("checkbox_option", "radio_option")
)


def _attrs(attrs: dict) -> str:
    """Django's attrs.html: `False` drops the attribute, `True` writes its bare name."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {escape_html(name)}")
        if value is not True:
            parts.append(f'="{escape_html(str(value))}"')
    return "".join(parts)


def render_select(widget: dict) -> SafeString | None:
    """The <select> of a widget context, or None when an option has its own template."""
    parts = [f'<select name="{escape_html(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{escape_html(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            parts.append(
                f'\n  <option value="{escape_html(str(option["value"]))}"'
                f"{_attrs(option['attrs'])}>{escape_html(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")  # the renderer strips the template's final newline
    return mark_safe("".join(parts))  # noqa: S308 — every value above is escaped


def render_input(widget: dict) -> SafeString:
    """Django's input.html."""
    value = widget["value"]
    value = "" if value is None else f' value="{escape_html(str(value))}"'
    return mark_safe(  # noqa: S308 — every value is escaped
        f'<input type="{escape_html(widget["type"])}" '
        f'name="{escape_html(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
    )


class FormRenderer(DjangoTemplates):
    """Django's template renderer, with the stock <select> and <input> templates in Python."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE:
            html = render_select(context["widget"])
            if html is not None:
                return html
        elif template_name in INPUT_TEMPLATES or (
            template_name in INPUT_OPTION_TEMPLATES and not context["widget"]["wrap_label"]
        ):
            return render_input(context["widget"])
        return super().render(template_name, context, request)
