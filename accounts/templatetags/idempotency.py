import uuid

from django import template
from django.utils.html import format_html

from accounts.idempotency import FIELD

register = template.Library()


@register.simple_tag
def save_once():
    """A hidden field with a new key, so that sending this form twice saves once."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4())
