from django import forms

from groundswell.accounts.models import User


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Name",
        help_text="What will use the key, so you can tell keys apart (“Zapier sync”).",
    )
    user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Acts as",
        help_text="The key may read and write what this account's role may, and stops when "
        "the account is deactivated. An account of its own, with the narrowest role that will "
        "do, is safest.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(is_active=True).order_by("username")
        self.fields["user"].label_from_instance = lambda u: f"{u.username} ({u.get_role_display()})"
