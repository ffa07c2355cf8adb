from django.conf import settings
from django.core.paginator import Paginator


def paginate(request, items, per_page=None):
    """A page of ``items`` for ?page=N (out-of-range pages show the last page)."""
    paginator = Paginator(items, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _api_pagination():
    from ninja import Field, Schema
    from ninja.pagination import LimitOffsetPagination

    class ApiPagination(LimitOffsetPagination):
        """The API's ?limit=&offset= pages (ninja's), bounded in the schema: at most API_MAX_LIMIT items a
        page, and an offset every database takes (a limit of 10^20 was a 500 on SQLite)."""

        class Input(Schema):
            limit: int = Field(100, ge=1, le=API_MAX_LIMIT)
            offset: int = Field(0, ge=0, le=API_MAX_OFFSET)

        def __init__(self, **kwargs):
            super().__init__(max_limit=API_MAX_LIMIT, **kwargs)

    return ApiPagination


API_MAX_LIMIT = 1000
API_MAX_OFFSET = 2**31 - 1
# settings.NINJA_PAGINATION_CLASS names this class: every @paginate in the api.py files uses it.
ApiPagination = _api_pagination()
