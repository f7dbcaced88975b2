"""Admin for the calendar: every save and delete goes through the services, so it is
audited and every process drops its cached calendar."""

from django import forms
from django.contrib import admin
from django.utils import timezone

from . import services
from .models import CalendarYear, SpecialDay


class SpecialDayForm(forms.ModelForm):
    class Meta:
        model = SpecialDay
        fields = ["date", "kind", "name"]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        day = cleaned.get("date") or (self.instance.date if self.instance.pk else None)
        kind = cleaned.get("kind")
        if day and kind:
            problem = services.special_day_problem(date=day, kind=kind,
                                                   name=cleaned.get("name") or "")
            if problem:
                raise forms.ValidationError(problem)
        return cleaned


@admin.register(SpecialDay)
class SpecialDayAdmin(admin.ModelAdmin):
    form = SpecialDayForm
    list_display = ["date", "kind", "name", "source", "notice_year", "updated_at"]
    list_filter = ["kind", "source", "notice_year"]
    search_fields = ["name", "date"]
    date_hierarchy = "date"
    ordering = ["-date"]

    def get_readonly_fields(self, request, obj=None):
        # Changing the date of a row would leave the old date behind; delete and add instead.
        base = ["source", "notice_year", "updated_at"]
        return ["date", *base] if obj is not None else base

    # save_model and delete_model run inside the admin's own transaction: the *_inner
    # bodies join it. delete_queryset (the bulk action) runs outside one.
    def save_model(self, request, obj, form, change):
        saved = services.holiday_set_inner(actor=request.user, date=obj.date, kind=obj.kind,
                                           name=obj.name, now=timezone.now())
        obj.pk, obj.source, obj.notice_year, obj.updated_at = (
            saved.pk, saved.source, saved.notice_year, saved.updated_at)

    def delete_model(self, request, obj):
        services.holiday_delete_inner(actor=request.user, date=obj.date, now=timezone.now())

    def delete_queryset(self, request, queryset):
        now = timezone.now()
        for day in queryset.values_list("date", flat=True):
            services.holiday_delete(actor=request.user, date=day, now=now)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "official", "loaded_at", "paper"]
    list_filter = ["official"]
    ordering = ["-year"]
    fields = ["year", "official", "paper", "loaded_at"]

    def get_readonly_fields(self, request, obj=None):
        return ["year", "loaded_at"] if obj is not None else ["loaded_at"]

    def save_model(self, request, obj, form, change):  # inside the admin's transaction
        saved = services.calendar_year_set_inner(actor=request.user, year=obj.year,
                                                 official=obj.official, paper=obj.paper,
                                                 now=timezone.now())
        obj.pk, obj.loaded_at = saved.pk, saved.loaded_at

    def delete_model(self, request, obj):  # inside the admin's transaction
        services.calendar_year_delete_inner(actor=request.user, year=obj.year,
                                            now=timezone.now())

    def delete_queryset(self, request, queryset):
        now = timezone.now()
        for year in queryset.values_list("year", flat=True):
            services.calendar_year_delete(actor=request.user, year=year, now=now)
