"""The scope layer's answer in a template, for pages whose view does not pass the flag itself."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def allowed(context, action, obj):
    """``{% allowed "member.export" org as can_export %}``"""
    return context["request"].scope.allows(action, obj)


@register.simple_tag(takes_context=True)
def can(context, action):
    """Whether any role of the user grants ``action`` somewhere: ``{% can "warnings.view" as show %}``."""
    request = context.get("request")
    return bool(request and request.user.is_authenticated and request.scope.can(action))
