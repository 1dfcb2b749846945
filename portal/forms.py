from django import forms
from django.utils.translation import gettext_lazy as _

from .models import COMMITTEE_LEVELS, Level, Member, Organization, Sector


class OrganizationChoiceField(forms.ModelChoiceField):
    """An organization picked by its short code, looked up only inside the user's scope.

    A text field (not a select) because a scope may hold 100,000 organizations; a code from
    another tree is answered as unknown, exactly like a mistyped one.
    """

    widget = forms.TextInput

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault(
            "error_messages",
            {
                "invalid_choice": _(
                    "No organization with this code in your area. Check the code on the organization's page."
                )
            },
        )
        super().__init__(queryset, **kwargs)

    def to_python(self, value):
        """The organization whose code this is, whatever the case and surrounding spaces (as in the filters)."""
        if value in self.empty_values:
            return None
        code = (value.code if isinstance(value, Organization) else str(value)).strip()
        # Codes are saved in capitals, so the first lookup (on the unique index) finds nearly all of them.
        for lookup in ({"code": code.upper()}, {"code__iexact": code}):
            found = list(self.queryset.filter(**lookup)[:2])
            if len(found) == 1:
                return found[0]
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")

    def prepare_value(self, value):
        if isinstance(value, Organization):
            return value.code
        if isinstance(value, int):
            return Organization.objects.filter(pk=value).values_list("code", flat=True).first()
        return value


class VersionedForm(forms.ModelForm):
    """Carries the record's version so that a stale save is refused (see ``StaleEdit``)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].required = bool(self.instance.pk)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version


class OrganizationForm(VersionedForm):
    class Meta:
        model = Organization
        fields = [
            "name",
            "code",
            "level",
            "sector",
            "parent",
            "secretary_name",
            "contact_phone",
            "address",
            "founded_on",
        ]
        widgets = {"founded_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"] = OrganizationChoiceField(
            parents,
            label=_("superior organization (code)"),
            required=not (self.instance.pk and not self.instance.parent_id),
        )
        if self.instance.pk and not self.instance.parent_id:
            del self.fields["parent"]
            # The top of a tree stays a committee (the model's rule, which the form could not show without
            # the superior field: the save failed with a server error).
            self.fields["level"].choices = [c for c in self.fields["level"].choices if c[0] in COMMITTEE_LEVELS]

    def _post_clean(self):
        parent_refused = self.has_error("parent")
        super()._post_clean()
        if parent_refused:
            # The model then sees no superior and adds "only a committee can stand at the top", which would
            # only confuse: the code's own error already says what to do.
            del self.errors["parent"][1:]

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        # Compared regardless of case: codes are looked up that way (member filter) and older data may be lower case.
        clash = Organization.objects.filter(code__iexact=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("This code is already used by another organization."))
        return code


class MemberForm(VersionedForm):
    class Meta:
        model = Member
        fields = [
            "name",
            "gender",
            "birth_date",
            "status",
            "joined_on",
            "organization",
            "role",
            "mobile",
            "staff_kind",
            "phone",
        ]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "joined_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["organization"]  # a move is a transfer, which keeps the history
        else:
            self.fields["organization"] = OrganizationChoiceField(organizations, label=_("organization (code)"))


class TransferForm(forms.Form):
    to = OrganizationChoiceField(Organization.objects.none(), label=_("transfer to (organization code)"))
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, organizations, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.fields["to"].queryset = organizations

    def clean_to(self):
        to = self.cleaned_data["to"]
        if to.pk == self.member.organization_id:
            raise forms.ValidationError(_("The member already belongs to this organization."))
        return to


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("name or phone"), required=False, max_length=50)
    org = forms.CharField(label=_("organization code (with its subtree)"), required=False, max_length=30)
    status = forms.ChoiceField(label=_("membership"), required=False, choices=[("", _("All"))] + Member.Status.choices)
    role = forms.ChoiceField(
        label=_("party role"),
        required=False,
        choices=[("", _("All")), ("any", _("Any role"))] + Member.Role.choices[1:],
    )
    sector = forms.ChoiceField(label=_("sector"), required=False, choices=[("", _("All"))] + Sector.choices)


class OrganizationSearchForm(forms.Form):
    q = forms.CharField(label=_("name or code"), required=False, max_length=50)
    level = forms.ChoiceField(label=_("level"), required=False, choices=[("", _("All"))] + Level.choices)
    sector = forms.ChoiceField(label=_("sector"), required=False, choices=[("", _("All"))] + Sector.choices)
