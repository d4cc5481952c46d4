from django.contrib import admin

from .models import Milestone, ProgrammeTarget


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(ProgrammeTarget)
class ProgrammeTargetAdmin(admin.ModelAdmin):
    list_display = ["name", "target_enrolments", "ends_on", "budget_envelope"]
    inlines = [MilestoneInline]
