"""Campaign pages (``campaigns``: campaigns, criteria, carriers) and implementation plans (``plans``)."""
