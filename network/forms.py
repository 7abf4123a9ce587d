from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import Category, Municipality, Organisation, Prefecture, Topic

# The topics and areas offered as filters change only when an administrator edits them:
# the cache (shared by the workers) keeps them for a minute and forgets them as soon as
# one is saved, as consultations/forms.py does for the intake page's choices.
FILTER_CHOICES_SECONDS = 60
TOPIC_FILTER_CHOICES = "network:topic-filter-choices"
SERVED_MUNICIPALITIES = "network:served-municipalities"
CATEGORY_CHOICES = "network:category-choices"


@receiver([post_save, post_delete], sender=Category)
@receiver([post_save, post_delete], sender=Topic)
@receiver([post_save, post_delete], sender=Prefecture)
@receiver([post_save, post_delete], sender=Municipality)
def forget_filter_choices(**kwargs):
    cache.delete_many(
        [
            SERVED_MUNICIPALITIES,
            CATEGORY_CHOICES,
            *(f"{TOPIC_FILTER_CHOICES}:{code}" for code, _name in settings.LANGUAGES),
        ]
    )


class DirectorySearchForm(forms.Form):
    """The directory's filters. Every field is optional; an empty form lists everything."""

    q = forms.CharField(
        label=_("Words"),
        max_length=100,
        required=False,
        help_text=_(
            "Name, other names, address or what the service does; kana and width do not matter."
        ),
    )
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Organisation.Kind.choices]
    )
    tie = forms.ChoiceField(
        label=_("Tie"), required=False, choices=[("", _("Any tie")), *Organisation.Tie.choices]
    )
    open_on = forms.DateField(
        label=_("Specialist day on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Only partners with a specialist day on this date (holidays excluded)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("All topics")), *topic_filter_choices()]
        self.municipalities = {m.code: m for m in served_municipalities()}
        self.fields["area"].choices = [("", _("All areas")), *_area_choices(self.municipalities)]
        # Some 130 options: written by one filter rather than a template include each,
        # the same markup (see accounts.forms.render_options_inline).
        for name in ("topic", "area", "kind", "tie"):
            self.fields[name].widget.template_name = "accounts/widgets/select.html"

    def clean_area(self):
        return self.municipalities.get(self.cleaned_data["area"])

    def filter(self, organisations, services):
        """Narrow the partners and the services shown with them to what was asked."""
        data = self.cleaned_data
        if data["q"]:
            organisations = organisations.matching_text(data["q"])
        if data["topic"] or data["area"]:
            services = services.serving(topic_code=data["topic"], area=data["area"])
            organisations = organisations.filter(pk__in=services.values("organisation"))
        if data["kind"]:
            organisations = organisations.filter(kind=data["kind"])
        if data["tie"]:
            organisations = organisations.filter(tie=data["tie"])
        if data["open_on"]:
            organisations = organisations.open_on(data["open_on"])
        return organisations, services


def topic_filter_choices():
    """Active topics grouped by field, each field first as "W1 …: all topics"; cached
    per language, as the fields' entries are translated."""
    key = f"{TOPIC_FILTER_CHOICES}:{get_language()}"
    choices = cache.get(key)
    if choices is None:
        groups = {}
        for topic in Topic.objects.active().select_related("category"):
            category = topic.category
            if category not in groups:
                label = _("%(field)s: all topics") % {"field": category}
                groups[category] = [(category.code, label)]
            groups[category].append((topic.code, str(topic)))
        choices = [(str(category), choices) for category, choices in groups.items()]
        cache.set(key, choices, FILTER_CHOICES_SECONDS)
    return choices


def category_choices():
    """Every field of consultation as (pk, "W1 name"), for the statistics' filter; cached."""
    choices = cache.get(CATEGORY_CHOICES)
    if choices is None:
        choices = [(category.pk, str(category)) for category in Category.objects.all()]
        cache.set(CATEGORY_CHOICES, choices, FILTER_CHOICES_SECONDS)
    return choices


def served_municipalities():
    """The municipalities of the region served, with their prefecture; cached."""
    municipalities = cache.get(SERVED_MUNICIPALITIES)
    if municipalities is None:
        municipalities = list(Municipality.objects.served())
        cache.set(SERVED_MUNICIPALITIES, municipalities, FILTER_CHOICES_SECONDS)
    return municipalities


def _area_choices(municipalities):
    groups = {}
    for municipality in municipalities.values():
        groups.setdefault(municipality.prefecture.name, []).append(
            (municipality.code, municipality.name)
        )
    if len(groups) == 1:
        return next(iter(groups.values()))
    return list(groups.items())
