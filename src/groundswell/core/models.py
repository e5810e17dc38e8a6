"""The shared kernel: a base model with timestamps."""

from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    # Not auto_now_add: imports and the demo record when a person really first appeared.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
