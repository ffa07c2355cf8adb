from django.conf import settings
from django.core.paginator import Paginator


def paginate(request, items, per_page=None):
    """A page of ``items`` for ?page=N (out-of-range pages show the last page)."""
    paginator = Paginator(items, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))
