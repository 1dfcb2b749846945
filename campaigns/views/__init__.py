"""Campaign pages (``campaigns``: campaigns, criteria, carriers), implementation plans (``plans``) and
target agreements (``agreements``)."""
