"""The URLs of an organization's own review: the 专题组织生活会, self-assessment, member scores."""

urlpatterns = []
