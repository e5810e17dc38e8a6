"""Forms of the staff-account pages: they parse input; accounts.services does the writing."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password

from groundswell.accounts.audit import audit_action_choices
from groundswell.accounts.models import User
from groundswell.accounts.roles import Role


class UserCreateForm(forms.Form):
    username = forms.CharField(max_length=150)
    first_name = forms.CharField(max_length=150, required=False, label="First name")
    last_name = forms.CharField(max_length=150, required=False, label="Last name")
    email = forms.EmailField(required=False, label="E-mail")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VOLUNTEER)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not a common password.",
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(f"There is already a staff account called {username}.")
        return username

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(
                username=cleaned.get("username", ""),
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class UserRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, label="Role")


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(required=False, choices=[], label="Action")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when the form is built: apps register their actions in ready().
        self.fields["action"].choices = [("", "All actions"), *audit_action_choices()]
