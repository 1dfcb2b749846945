"""Commitment URLs: the staff side (``urls_staff``) and the public board (``urls_public``)."""

from .urls_public import urlpatterns as public_patterns
from .urls_staff import urlpatterns as staff_patterns

app_name = "commitments"
urlpatterns = staff_patterns + public_patterns
