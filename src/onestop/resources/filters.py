import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop.accounts.filters import SearchFilterSet
from onestop.core import fulltext
from onestop.core.choices import ChoiceSourceFilter
from onestop.resources.models import Article, DocumentCheck, DocumentType, Equipment, TechnicalDocument


class DocumentTypeFilterSet(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = DocumentType
        fields = ["q", "active"]


class TechnicalDocumentFilterSet(SearchFilterSet):
    search_fields = ("code", "title", "project__code", "project__name")
    project = ChoiceSourceFilter("projects.Project", label=_("Project"))
    doc_type = django_filters.ModelChoiceFilter(queryset=DocumentType.objects.all(), label=_("Document type"))
    state = django_filters.ChoiceFilter(choices=TechnicalDocument.State.choices, label=_("State"))
    retention_expired = django_filters.BooleanFilter(method="filter_expired", label=_("Retention expired"))

    class Meta:
        model = TechnicalDocument
        fields = ["q", "project", "doc_type", "state", "retention_expired"]

    def filter_expired(self, queryset, name, value):
        if value is None:
            return queryset
        expired = {"state": TechnicalDocument.State.KEPT, "retention_until__lte": timezone.localdate()}
        return queryset.filter(**expired) if value else queryset.exclude(**expired)


class ArticleFilterSet(SearchFilterSet):
    kind = django_filters.ChoiceFilter(choices=Article.Kind.choices, label=_("Kind"))
    state = django_filters.ChoiceFilter(choices=Article.State.choices, label=_("State"))
    tag = django_filters.CharFilter(field_name="tags", lookup_expr="icontains", label=_("Tag"))

    class Meta:
        model = Article
        fields = ["q", "kind", "state", "tag"]

    def search(self, queryset, name, value):
        """Full-text, ranked, Chinese-aware (core/fulltext.py)."""
        if not value.strip():
            return queryset
        return fulltext.search(queryset, value)


class EquipmentFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "model_number", "serial_number", "location")
    category = django_filters.ChoiceFilter(choices=Equipment.Category.choices, label=_("Category"))
    state = django_filters.ChoiceFilter(choices=Equipment.State.choices, label=_("State"))
    holder = ChoiceSourceFilter("accounts.User", label=_("Checked out to"))

    class Meta:
        model = Equipment
        fields = ["q", "category", "state", "holder"]


class DocumentCheckFilterSet(django_filters.FilterSet):
    inspection = django_filters.NumberFilter(field_name="item__inspection", label=_("Inspection"))
    document = django_filters.NumberFilter(field_name="version__document", label=_("Document"))
    version = django_filters.NumberFilter(field_name="version", label=_("Version"))

    class Meta:
        model = DocumentCheck
        fields = ["inspection", "document", "version"]
