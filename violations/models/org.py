"""The organisation: departments (a tree) and employees; the violation categories.

Departments and categories have a name in each language: ``violations/translation.py``
registers ``name`` with django-modeltranslation, and their history with simple_history
there too, after the translated fields exist, so history keeps every language.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Department(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    head = models.ForeignKey(
        "violations.Employee",
        verbose_name=_("head of department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Employee(models.Model):
    staff_number = models.CharField(_("staff number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="staff"
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    line_manager = models.ForeignKey(
        "self",
        verbose_name=_("line manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    # Most subjects of a case have no login; staff who use the system do.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employee",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["staff_number"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")

    def __str__(self) -> str:
        return f"{self.name} ({self.staff_number})"


class ViolationCategory(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("violation category")
        verbose_name_plural = _("violation categories")
        # One name per parent, in each language: modeltranslation copies each constraint to
        # name_en, name_zh_hant and name_zh_hans. Top-level categories (no parent) apart,
        # since NULL parents never collide in a unique index.
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                condition=models.Q(parent__isnull=False),
                name="category_name_unique_in_parent",
                violation_error_message=_("This parent already has a category of that name."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(parent__isnull=True),
                name="category_name_unique_top_level",
                violation_error_message=_("A top-level category of that name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
