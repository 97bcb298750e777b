"""One product of the cooperative: the form (new and edit), photos, certification application."""

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from app.actors import Role
from app.errors import DomainError, NotFoundError
from app.services import certification, clock, product_images, products
from app.services.product_images import MAX_IMAGE_BYTES
from app.web.forms import field_errors, in_unit_of_work, read_form, read_only
from app.web.pages import error_status, form_version, gate, is_stale, unless_fixable, upload_dir
from app.web.requests import wants_partial
from app.web.templating import render
from app.web.trade_common import finish
from app.web.trade_products import (
    MY_PRODUCTS,
    form_options,
    managed_row,
    product_values,
    saved_values,
)

FORM_LISTS = ("harvest_months", "certifications")
EMPTY_FORM = {"min_order": "1", "stock": "0", "harvest_months": [], "certifications": []}


async def new_product(request: Request) -> Response:
    actor = gate(request, Role.cooperative)
    if isinstance(actor, Response):
        return actor
    if request.method == "GET":
        return _form_page(request, EMPTY_FORM, {})
    data = await read_form(request, lists=FORM_LISTS)
    try:
        product_id = await in_unit_of_work(
            request,
            lambda s: products.create_product(session=s, actor=actor, data=data).id,
        )
    except DomainError as exc:
        unless_fixable(exc)
        return _form_page(request, data, field_errors(exc), status_code=422)
    return finish(request, f"{MY_PRODUCTS}/{product_id}", "产品已保存为草稿，上传照片后即可上架")


def _form_page(request, values, errors, *, status_code=200):
    context = {
        "product": None,
        "version": None,
        "saved": None,
        "values": values,
        "errors": errors,
        "toast": None,
        "section": "form",
    }
    context |= form_options()
    return render(
        request,
        "products/new.html",
        context,
        partial="products/_form.html",
        status_code=status_code,
    )


async def manage_product(request: Request) -> Response:
    """GET shows the product's page; POST saves the form."""
    actor = gate(request, Role.cooperative)
    if isinstance(actor, Response):
        return actor
    product_id = request.path_params["product_id"]
    if request.method == "GET":
        return await _manage_page(request, actor, product_id)
    data = await read_form(request, lists=FORM_LISTS)
    try:
        await in_unit_of_work(
            request,
            lambda s: products.update_product(
                session=s,
                actor=actor,
                product_id=product_id,
                expected_version=form_version(data),
                data=data,
            ),
        )
    except DomainError as exc:
        unless_fixable(exc)
        return await _manage_page(
            request,
            actor,
            product_id,
            values=data,
            errors=field_errors(exc),
            stale=is_stale(exc),
            status_code=error_status(exc),
        )
    return finish(request, f"{MY_PRODUCTS}/{product_id}", "已保存产品信息")


async def _manage_page(
    request,
    actor,
    product_id,
    *,
    values=None,
    errors=None,
    section="form",
    status_code=200,
    toast=None,
    stale=False,
):
    row = await managed_row(request, actor, product_id)
    context = {
        "product": row.product,
        "row": row,
        "values": values if values is not None else product_values(row.product),
        # A form sent back keeps the version it was opened at (a stale one stays a conflict).
        "version": form_version(values) if values is not None else row.product.version,
        "saved": saved_values(row.product) if stale else None,
        "errors": errors or {},
        "today": clock.today(),
        "max_image_mb": MAX_IMAGE_BYTES // (1024 * 1024),
        "toast": toast,
        "section": section,
        **form_options(),
    }
    partials = {
        "form": "products/_form.html",
        "photos": "products/_photos.html",
        "certification": "products/_certification.html",
    }
    return render(
        request,
        "products/manage.html",
        context,
        partial=partials[section],
        status_code=status_code,
    )


async def upload_image(request: Request) -> Response:
    actor = gate(request, Role.cooperative)
    if isinstance(actor, Response):
        return actor
    product_id = request.path_params["product_id"]
    form = await request.form()
    upload = form.get("image")
    # Read one byte past the limit: enough to refuse an oversized file without holding it all.
    content = await upload.read(MAX_IMAGE_BYTES + 1) if isinstance(upload, UploadFile) else b""
    await form.close()
    directory = upload_dir(request)

    async def prepare():
        # Permission first (cheap), then decoded and re-encoded before the writer opens.
        await read_only(
            request,
            lambda s: product_images.check_may_add_image(
                session=s, actor=actor, product_id=product_id
            ),
        )
        return await run_in_threadpool(product_images.prepare_product_image, content)

    return await _section_step(
        request,
        actor,
        product_id,
        "photos",
        lambda s, prepared: product_images.add_product_image(
            session=s, actor=actor, product_id=product_id, content=prepared, upload_dir=directory
        ),
        "照片已上传",
        prepare=prepare,
    )


async def delete_image(request: Request) -> Response:
    actor = gate(request, Role.cooperative)
    if isinstance(actor, Response):
        return actor
    product_id = request.path_params["product_id"]
    image_id = request.path_params["image_id"]
    directory = upload_dir(request)

    def remove(session):
        image = product_images.remove_product_image(
            session=session, actor=actor, image_id=image_id, upload_dir=directory
        )
        if image.product_id != product_id:
            raise NotFoundError("照片不存在")

    return await _section_step(request, actor, product_id, "photos", remove, "照片已删除")


async def apply_for_certification(request: Request) -> Response:
    actor = gate(request, Role.cooperative)
    if isinstance(actor, Response):
        return actor
    product_id = request.path_params["product_id"]
    data = await read_form(request)
    return await _section_step(
        request,
        actor,
        product_id,
        "certification",
        lambda s: certification.apply_for_certification(
            session=s, actor=actor, product_id=product_id, data=data
        ),
        "已提交消费帮扶产品认定申请，等待乡村振兴局审核",
    )


async def _section_step(request, actor, product_id, section, work, message, *, prepare=None):
    """Run ``work`` for one section of the product page (photos, certification).

    With ``prepare`` (a coroutine function), its slow work runs first, outside the unit of work,
    and ``work`` receives its result. The section comes back with a toast for htmx, or with the
    errors and 422; a plain post that succeeded goes back to the product page.
    """
    try:
        if prepare is not None:
            prepared = await prepare()
            await in_unit_of_work(request, lambda s: work(s, prepared))
        else:
            await in_unit_of_work(request, work)
    except DomainError as exc:
        unless_fixable(exc)
        return await _manage_page(
            request, actor, product_id, errors=field_errors(exc), section=section, status_code=422
        )
    if not wants_partial(request):
        return finish(request, f"{MY_PRODUCTS}/{product_id}", message)
    return await _manage_page(request, actor, product_id, section=section, toast=message)
