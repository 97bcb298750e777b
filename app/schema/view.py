"""``/graphql`` on the Starlette app: Strawberry's ASGI view with the project's context.

POST only for operations (queries via GET are refused too, so no operation rides on a link);
GraphiQL on GET in development only. No batching, no multipart, no subscriptions. The actor comes
from ``ActorMiddleware`` (session cookie or ``Authorization: Bearer``); CSRF for cookie-signed
posts is checked by ``CSRFMiddleware`` before the request gets here.
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
from app.schema.context import Context, run_operation
from app.schema.schema import create_schema
from app.schema.security import MAX_TOKENS, with_code
from app.services.api_limits import ApiRateLimiter
from app.web.requests import current_actor
from app.web.security import csrf_token


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

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        return Context(
            actor=current_actor(request),
            database=self.database,
            request=request,
            response=response,
        )

    async def execute_operation(self, **kwargs):  # type: ignore[override]
        # Off the server's event loop, with the request's database work (see app.schema.context).
        parent = super()
        context: Context = kwargs["context"]
        try:
            # In memory only: the counts reach the database from a thread of their own.
            self.rate_limiter.admit(context.actor, context.address)
        except ThrottledError as exc:
            return throttled_result(context, exc)
        data = kwargs["request_data"]
        limiter = None if _is_mutation(data.query, data.operation_name) else self._query_limiter()
        return await run_operation(
            kwargs["context"], lambda: parent.execute_operation(**kwargs), limiter
        )

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
        # A signed-in developer's GraphiQL sends the session's CSRF token with each operation.
        headers = json.dumps({"X-CSRF-Token": csrf_token(request)})
        html = self.graphql_ide_html.replace(
            "const defaultHeaders = {};", f"const defaultHeaders = {headers};"
        )
        return HTMLResponse(html)


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
