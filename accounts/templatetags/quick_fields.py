"""`{{ form.name|as_field }}`: a form field in crispy-bootstrap5's markup, written directly.

`|as_crispy_field` renders four templates for each field (the field, help text and
errors, the widget and its attributes). The intake page has 45 fields, and they were
most of its time. This filter writes the same markup (tests compare the two, whitespace
aside) for the plain inputs, selects and check boxes those pages use, and hands any
other widget (radio buttons, files, hidden fields) to crispy. The widget inside is written
directly too (`_widget`), as Django's input, textarea and select templates would.
"""

import html

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

WRITTEN = (
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    forms.Textarea,
    forms.Select,
    forms.SelectMultiple,
    forms.CheckboxInput,
)


@register.filter
def as_field(field):
    widget = field.field.widget
    if type(widget) not in WRITTEN or widget.use_fieldset:
        return as_crispy_field(field)
    errors = field.errors
    if isinstance(widget, forms.CheckboxInput):
        bootstrap = "form-check-input"
    elif isinstance(widget, forms.Select):
        bootstrap = "form-select"
    else:
        bootstrap = "form-control"
    _add_classes(widget, f"{bootstrap} is-invalid" if errors else bootstrap)
    required = field.field.required
    widget_html = _widget(field)
    # A constant of ours, no input in it.
    marker = mark_safe('<span class="asteriskField">*</span>') if required else ""  # nosec B308
    required_class = " requiredField" if required else ""
    extra = f" {field.css_classes()}" if field.css_classes() else ""
    after = _errors_and_help(field, errors)
    if isinstance(widget, forms.CheckboxInput):
        return format_html(
            '<div class="mb-3">\n<div id="div_{}" class="form-check{}">\n{}\n'
            '<label for="{}" class="form-check-label{}">\n{}{}\n</label>\n{}</div>\n</div>',
            field.auto_id,
            extra,
            widget_html,
            field.id_for_label,
            required_class,
            field.label,
            marker,
            after,
        )
    label = ""
    if field.label:
        label = format_html(
            '<label {}class="form-label{}">\n{}{}\n</label>\n',
            format_html('for="{}" ', field.id_for_label) if field.id_for_label else "",
            required_class,
            field.label,
            marker,
        )
    return format_html(
        '<div id="div_{}" class="mb-3{}">\n{}{}\n{}</div>',
        field.auto_id,
        extra,
        label,
        widget_html,
        after,
    )


# Django's templates for the widgets `_widget` writes; a widget given any other template
# is rendered through it.
INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in ("text", "number", "email", "url", "date", "datetime", "time", "checkbox")
}
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
# Django's, and ours with the same markup (accounts.forms.render_options_inline).
SELECT_TEMPLATES = {"django/forms/widgets/select.html", "accounts/widgets/select.html"}
WRITTEN_TEMPLATES = INPUT_TEMPLATES | SELECT_TEMPLATES | {TEXTAREA_TEMPLATE}


def _widget(field):
    """The field's widget as BoundField.as_widget() renders it, without the three to five
    template renders Django's widget templates take (the widget, attrs.html, ...): the
    intake page's 45 widgets were a third of its time. The same attributes and value,
    from the widget's own get_context()."""
    widget = field.field.widget
    template = widget.template_name
    if field.field.show_hidden_initial or template not in WRITTEN_TEMPLATES:
        return str(field)
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    if template in SELECT_TEMPLATES:
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            context["name"],
            _attributes(context["attrs"]),
            as_options(context["optgroups"]),
        )
    if template == TEXTAREA_TEMPLATE:
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>',
            context["name"],
            _attributes(context["attrs"]),
            context["value"] or "",
        )
    return _input(context)


# A radio button's or check box's template, which writes its input without a label
# when the BoundWidget's tag() asks for none.
OPTION_TEMPLATES = {
    "django/forms/widgets/radio_option.html",
    "django/forms/widgets/checkbox_option.html",
}


@register.filter
def as_tag(subwidget):
    """`{{ radio.tag }}`: one radio button's <input>, without the two template renders."""
    if subwidget.template_name not in OPTION_TEMPLATES:
        return subwidget.tag()
    return _input(subwidget.data)


def _input(context):
    """django/forms/widgets/input.html."""
    kind, name, value = (_escape(context[key]) for key in ("type", "name", "value"))
    value = "" if context["value"] is None else f' value="{value}"'
    attributes = _attributes(context["attrs"])
    return _safe(f'<input type="{kind}" name="{name}"{value}{attributes}>')


@register.filter
def as_options(optgroups):
    """A select's <optgroup>s and <option>s as Django's select and option templates write
    them, in one pass instead of a template include for each option (and without
    format_html's per-call cost: some 330 options on the intake page)."""
    parts = []
    for group_name, group_choices, _index in optgroups:
        if group_name:
            parts.append(f'\n  <optgroup label="{_escape(group_name)}">')
        for option in group_choices:
            attributes = _attributes(option["attrs"]) if option["attrs"] else ""
            value, label = _escape(str(option["value"])), _escape(option["label"])
            parts.append(f'\n  <option value="{value}"{attributes}>{label}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    return _safe("".join(parts))


@register.filter
def as_choice_options(choices, selected):
    """The <option>s of a flat list of (value, label) choices, the one equal to `selected`
    marked: `{{ form.year.field.choices|as_choice_options:scope.period.year }}` for a select
    whose chosen value is not the form's own (the statistics' filter shows what it counts).
    The markup of the template loop it replaces, without a template pass per option."""
    return _safe(
        "".join(
            f'<option value="{_escape(value)}"{" selected" if value == selected else ""}>'
            f"{_escape(label)}</option>"
            for value, label in choices
        )
    )


def _escape(value):
    """django.utils.html.conditional_escape, without its lazy-argument wrapper, which
    was a good part of the intake page's time at some 600 calls."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _safe(text):
    """Markup written here: everything from outside in it went through _escape."""
    return mark_safe(text)  # noqa: S308  # nosec B308 B703


def _attributes(attrs):
    """As django/forms/widgets/attrs.html: False leaves an attribute out, True names it."""
    return _safe(
        "".join(
            f" {_escape(name)}" if value is True else f' {_escape(name)}="{_escape(value)}"'
            for name, value in attrs.items()
            if value is not False
        )
    )


def _add_classes(widget, classes):
    """The classes crispy's {% crispy_field %} gives a widget: its own name, then Bootstrap's."""
    name = type(widget).__name__.lower()
    css = widget.attrs.get("class", "")
    if not css:
        css = name
    elif name not in css:
        css += f" {name}"
    for css_class in classes.split():
        if css_class not in css.split():
            css += f" {css_class}"
    widget.attrs["class"] = css


def _errors_and_help(field, errors):
    # The empty string: nothing to escape.
    html = mark_safe("")  # nosec B308
    if errors:
        html = format_html(
            '<div id="{}_error" class="invalid-feedback">\n{}</div>\n',
            errors.field_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>\n',
                ((number, field.auto_id, error) for number, error in enumerate(errors, 1)),
            ),
        )
    if field.help_text:
        # Help texts are the code's own and may hold markup: Django's and crispy's
        # templates print them with |safe too.
        html += format_html(
            '<div {}class="form-text">{}</div>\n',
            format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else "",
            mark_safe(field.help_text),  # noqa: S308  # nosec B308 B703
        )
    return html
