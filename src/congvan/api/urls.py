"""The public REST API v1 (see shared/API.md): one NinjaAPI assembled from the apps' routers."""

from django.http import HttpResponseNotAllowed
from django.urls import URLPattern, re_path
from ninja import NinjaAPI

from congvan.api import auth, directory, documents, errors, incoming, intake, search


class CongvanAPI(NinjaAPI):
    """NinjaAPI whose unknown paths and wrong methods also answer in the API's error format."""

    def _get_urls(self):
        result = super()._get_urls()
        for pattern in result:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_405(pattern.callback)
        result.append(re_path(r"^.*$", errors.fallback_view(404), name="api-fallback"))
        return result


def _json_405(view):
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = errors.fallback_view(405)(request)
            response["Allow"] = allowed
        return response

    wrapper.csrf_exempt = getattr(view, "csrf_exempt", False)
    wrapper.__name__ = getattr(view, "__name__", "view")
    wrapper.__doc__ = view.__doc__
    return wrapper


api = CongvanAPI(
    title="Congvan API",
    version="1",
    description="REST API v1 của Congvan: văn bản đi, văn bản đến, danh bạ. Xác thực: "
                "`POST /api/v1/auth/token` rồi gửi `Authorization: Bearer <token>`. Lỗi 4xx có dạng "
                '`{"error": {"code", "message", "detail"}}` (tiếng Anh khi `Accept-Language: en`).',
    urls_namespace="api-v1",
    auth=auth.BearerAuth(),
)
errors.install(api)
api.add_router("/auth", auth.router)
api.add_router("/", directory.router)
api.add_router("/", documents.router)
api.add_router("/", incoming.router)
api.add_router("/", intake.router)  # thư đến (issue 5)
api.add_router("/", search.router)
