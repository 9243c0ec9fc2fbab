"""The public REST API v1 (see shared/API.md): one NinjaAPI assembled from the apps' routers."""

from ninja import NinjaAPI

api = NinjaAPI(title="Congvan API", version="1", urls_namespace="api-v1")
