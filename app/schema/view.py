"""``/graphql`` on the Starlette app: Strawberry's ASGI view with the project's context.

POST only for operations (queries via GET are refused too, so no operation rides on a link);
GraphiQL on GET in development only. No batching, no multipart, no subscriptions. The actor comes
from ``ActorMiddleware`` (session cookie or ``Authorization: Bearer``); CSRF for cookie-signed
posts is checked by ``CSRFMiddleware`` before the request gets here. A client may have at most
``graphql_per_client`` operations in progress in this process (app/schema/client_slots.py).
"""

import asyncio
import json
from functools import lru_cache
from weakref import WeakKeyDictionary

from anyio import CapacityLimiter
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from app.config import Settings
from app.db import Database
from app.errors import ThrottledError
from app.http import csrf_token, current_actor, set_route_label
from app.schema.client_slots import ClientSlots, client_key
from app.schema.context import Context, run_operation
from app.schema.graphiql import graphiql_page
from app.schema.schema import create_schema
from app.schema.security import MAX_TOKENS, with_code
from app.services.api_limits import ApiRateLimiter


class GraphQLView(GraphQL):
    def __init__(self, *, settings: Settings, database: Database):
        super().__init__(
            create_schema(introspection=settings.introspection_enabled),
            graphql_ide="graphiql" if settings.graphiql_enabled else None,
            allow_queries_via_get=False,
            multipart_uploads_enabled=False,
            subscription_protocols=(),
        )
        self.database = database
        self.query_threads = settings.graphql_query_threads
        self.rate_limiter = ApiRateLimiter(database, settings)
        self._limiters: WeakKeyDictionary = WeakKeyDictionary()
        self.client_slots = ClientSlots(settings.graphql_per_client)

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        return Context(
            actor=current_actor(request),
            database=self.database,
            request=request,
            response=response,
        )

    def decode_json(self, data: str | bytes) -> object:
        # json.loads raises RecursionError on deep nesting and ValueError on a number of more
        # than 4300 digits: a 400 like any body that is not JSON, not a 500.
        try:
            return json.loads(data)
        except json.JSONDecodeError:
            raise
        except (RecursionError, ValueError) as exc:
            raise json.JSONDecodeError(type(exc).__name__, "", 0) from None

    async def execute_operation(self, **kwargs):  # type: ignore[override]
        context: Context = kwargs["context"]
        # The operation's name labels the request's log line and latency metric.
        set_route_label(context.request, kwargs["request_data"].operation_name or "")
        try:
            # In memory only: the counts reach the database from a thread of their own.
            self.rate_limiter.admit(context.actor, context.address)
        except ThrottledError as exc:
            return throttled_result(context, exc)
        client = client_key(context.request, context.actor)
        if not self.client_slots.take(client):
            return self._too_many(context)
        try:
            # Off the server's event loop, with the request's database work (app.schema.context).
            parent = super()
            data = kwargs["request_data"]
            query = data.query
            limiter = None if _is_mutation(query, data.operation_name) else self._query_limiter()
            return await run_operation(context, lambda: parent.execute_operation(**kwargs), limiter)
        finally:
            self.client_slots.give_back(client)

    def _too_many(self, context: Context) -> ExecutionResult:
        message = (
            f"您同时进行的操作过多（每个用户或地址最多 {self.client_slots.limit} 个），"
            "请等前面的操作完成后再试"
        )
        exc = ThrottledError(message, retry_after=RETRY_AFTER_SECONDS, code="too_many_requests")
        return throttled_result(context, exc)

    def _query_limiter(self) -> CapacityLimiter:
        """Queries share ``graphql_query_threads`` threads per process. They are CPU work under
        one GIL: eight queries in eight threads take as long in all as one after the other, but
        each waits for all, and the GIL's hand-overs cost more (bench/README.md). Mutations may
        wait for the database's write lock, so they are not queued behind queries."""
        loop = asyncio.get_running_loop()  # one per server process; tests run several
        limiter = self._limiters.get(loop)
        if limiter is None:
            limiter = self._limiters[loop] = CapacityLimiter(self.query_threads)
        return limiter

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        # ErrorPolicy gives every error of an operation its code; errors raised before the
        # operation began (none known today) get theirs here, so no client sees an error without.
        for error in result.errors or ():
            with_code(error)
        return await super().process_result(request, result)

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our own page (app/schema/graphiql.py): a signed-in developer's GraphiQL sends the
        # session's CSRF token with each operation.
        return HTMLResponse(graphiql_page(csrf_token(request)))


RETRY_AFTER_SECONDS = 1


def throttled_result(context: Context, exc: ThrottledError) -> ExecutionResult:
    """A refused request: 429 with Retry-After, and the error's code like every other error."""
    if context.response is not None:
        context.response.status_code = 429
        context.response.headers["Retry-After"] = str(exc.retry_after)
    extensions = {"code": exc.code, "retryAfter": exc.retry_after}
    return ExecutionResult(data=None, errors=[GraphQLError(exc.message, extensions=extensions)])


CACHED_DOCUMENT_CHARS = 20_000  # longer documents are parsed again rather than kept


def _is_mutation(query: str | None, operation_name: str | None) -> bool:
    """Whether the request runs a mutation; a document that does not parse is left to the
    schema to refuse (and counted as a query here)."""
    if not query or "mutation" not in query:
        return False  # the common case, without parsing
    if len(query) > CACHED_DOCUMENT_CHARS:
        return _operation_is_mutation.__wrapped__(query, operation_name)
    return _operation_is_mutation(query, operation_name)


@lru_cache(maxsize=256)
def _operation_is_mutation(query: str, operation_name: str | None) -> bool:
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return False
    operation = get_operation_ast(document, operation_name)
    return operation is not None and operation.operation is OperationType.MUTATION


def graphql_app(settings: Settings, database: Database) -> GraphQLView:
    return GraphQLView(settings=settings, database=database)
