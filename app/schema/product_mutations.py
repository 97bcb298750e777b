"""A cooperative's products as mutations: create, edit, price and stock, list and delist, photos,
and the consumption-assistance certification (applied for by the cooperative, decided by the
bureau of the product's county).

Photos travel as base64 text (multipart is off on /graphql, see
docs/decisions/0009-graphql-files-as-base64.md); the service decodes them as images, refuses
anything else and re-encodes them, exactly as for the page's uploads.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

import strawberry

from app.errors import DomainError
from app.schema import enums
from app.schema.context import Info
from app.schema.errors import user_errors
from app.schema.node import parse_id
from app.schema.payloads import Input, data_mutation, decode_file, payload_type, respond
from app.schema.scalars import Money
from app.schema.trade import Product
from app.schema.trade_bureau import CertificationApplication
from app.services import certification, product_images, products


@strawberry.input(description="产品的全部可编辑信息；单价以元填写，最多两位小数")
class ProductFieldsInput:
    name: str = strawberry.field(description="产品名称（2 至 60 个字符）")
    category: enums.ProductCategory = strawberry.field(description="品类")
    unit: str = strawberry.field(
        description="计量单位：斤、公斤、吨、箱、件、袋、盒、瓶、桶、罐、只、个、套"
    )
    price: Money = strawberry.field(description="单价（元），大于 0")
    stock: int = strawberry.field(description="库存（按计量单位）")
    min_order: int = strawberry.field(default=1, description="起订量，至少 1")
    harvest_months: list[int] = strawberry.field(default_factory=list, description="上市月份 1–12")
    certifications: list[enums.Certification] = strawberry.field(
        default_factory=list, description="第三方认证"
    )
    description: str = strawberry.field(default="", description="产品介绍（不超过 4000 个字符）")
    # Left out, an edit keeps what the product has (decision 0037).
    variety: str | None = strawberry.field(
        default=strawberry.UNSET, description="品种（不超过 20 个字符）；不填时修改不变"
    )
    net_weight_g: int | None = strawberry.field(
        default=strawberry.UNSET, description="每个计价单位的净含量（克）；不填时修改不变"
    )
    pieces_per_unit: int | None = strawberry.field(
        default=strawberry.UNSET, description="每个计价单位的个数；不填时修改不变"
    )
    shelf_life_days: int | None = strawberry.field(
        default=strawberry.UNSET, description="保质期（天）；不填时修改不变"
    )
    shipping_terms: str | None = strawberry.field(
        default=strawberry.UNSET, description="发货与运费说明（不超过 200 个字符）；不填时修改不变"
    )
    dispatch_place: str | None = strawberry.field(
        default=strawberry.UNSET, description="发货地（不超过 60 个字符）；不填时修改不变"
    )
    green_certificate_no: str | None = strawberry.field(
        default=strawberry.UNSET, description="绿色食品证书编号；不填时修改不变"
    )
    organic_certificate_no: str | None = strawberry.field(
        default=strawberry.UNSET, description="有机产品证书编号；不填时修改不变"
    )
    gi_certificate_no: str | None = strawberry.field(
        default=strawberry.UNSET, description="地理标志登记证书编号；不填时修改不变"
    )


@strawberry.input(description="修改产品（各项整体替换）")
class UpdateProductInput(ProductFieldsInput):
    product_id: strawberry.ID = strawberry.field(description="产品（全局编号）")
    expected_version: int = strawberry.field(
        description="您看到的产品版本号（version）；其间他人修改过或订单改变了库存时拒绝（stale_version），不会写回旧库存"
    )


@strawberry.input(description="快速修改单价和库存")
class UpdatePriceAndStockInput:
    product_id: strawberry.ID = strawberry.field(description="产品（全局编号）")
    price: Money = strawberry.field(description="单价（元），大于 0")
    stock: int = strawberry.field(description="库存")
    expected_version: int = strawberry.field(
        description="您看到的产品版本号（version）；其间他人修改过或订单改变了库存时拒绝（stale_version），以免覆盖预留"
    )


@strawberry.input(description="上架或下架一个产品")
class ProductStatusInput:
    product_id: strawberry.ID = strawberry.field(description="产品（全局编号）")
    expected_version: int = strawberry.field(
        description="您看到的产品版本号（version）；其间他人修改过时拒绝（stale_version）"
    )


@strawberry.input(description="上传一张产品照片：JPG、PNG 或 WebP，不超过 5 MB，每个产品最多 8 张")
class AddProductImageInput:
    product_id: strawberry.ID = strawberry.field(description="产品（全局编号）")
    content_base64: str = strawberry.field(description="照片文件内容，base64 编码")


@strawberry.input(description="删除一张产品照片")
class RemoveProductImageInput:
    image_id: strawberry.ID = strawberry.field(description="照片（全局编号）")


@strawberry.input(description="为产品申请消费帮扶产品认定")
class ApplyForCertificationInput:
    product_id: strawberry.ID = strawberry.field(description="产品（全局编号）")
    note: str = strawberry.field(default="", description="申请说明（不超过 500 个字符）")


@strawberry.input(description="认定为消费帮扶产品")
class ApproveCertificationInput:
    application_id: strawberry.ID = strawberry.field(description="认定申请（全局编号）")
    expires_on: date = strawberry.field(description="有效期至：晚于今天，最长 3 年")


@strawberry.input(description="驳回认定申请")
class RejectCertificationInput:
    application_id: strawberry.ID = strawberry.field(description="认定申请（全局编号）")
    reason: str = strawberry.field(description="不通过的原因（必填，不超过 500 个字符）")


ProductPayload = payload_type(
    "ProductPayload", "product", Product, description="产品操作的结果", label="产品"
)
CertificationPayload = payload_type(
    "CertificationPayload",
    "application",
    CertificationApplication,
    description="认定申请操作的结果",
    label="认定申请",
)


def _product_id(value: strawberry.ID) -> int:
    return parse_id(value, "Product", field="product_id")


def _status_change(service: Callable, description: str) -> Any:
    """上架 or 下架 of a product at the version the client saw."""

    async def resolver(info: Info, input: Input[ProductStatusInput]) -> ProductPayload:
        return await respond(
            info,
            ProductPayload,
            lambda s, actor: service(
                session=s,
                actor=actor,
                product_id=_product_id(input.product_id),
                expected_version=input.expected_version,
            ),
        )

    return strawberry.mutation(resolver=resolver, description=description)


@strawberry.type
class ProductMutations:
    create_product = data_mutation(
        products.create_product,
        ProductPayload,
        ProductFieldsInput,
        "新增产品（草稿，上架后公开；已通过审核的合作社）",
    )
    update_product = data_mutation(
        products.update_product,
        ProductPayload,
        UpdateProductInput,
        "修改本社的产品",
        key="product_id",
        node="Product",
        versioned=True,
    )

    @strawberry.mutation(description="快速修改本社产品的单价和库存")
    async def update_price_and_stock(
        self,
        info: Info,
        input: Input[UpdatePriceAndStockInput],
    ) -> ProductPayload:
        return await respond(
            info,
            ProductPayload,
            lambda s, actor: products.update_price_and_stock(
                session=s,
                actor=actor,
                product_id=_product_id(input.product_id),
                expected_version=input.expected_version,
                data={"price": input.price, "stock": input.stock},
            ),
        )

    list_product = _status_change(
        products.list_product, "上架本社的草稿或已下架产品（在售的产品公开）"
    )
    delist_product = _status_change(
        products.delist_product, "下架本社的在售产品；已下的订单照常履行"
    )

    @strawberry.mutation(description="为本社产品上传照片（自动生成缩略图）")
    async def add_product_image(
        self,
        info: Info,
        input: Input[AddProductImageInput],
    ) -> ProductPayload:
        root = info.context.upload_dir
        actor = info.context.actor
        try:
            # Permission first (cheap), then decoded and re-encoded before the write transaction
            # opens; the unit of work checks permission again.
            await info.context.read(
                lambda s: product_images.check_may_add_image(
                    session=s, actor=actor, product_id=_product_id(input.product_id)
                )
            )
            prepared = product_images.prepare_product_image(
                decode_file(
                    input.content_base64, field="image", max_bytes=product_images.MAX_IMAGE_BYTES
                )
            )
        except DomainError as exc:
            return ProductPayload(product=None, errors=user_errors(exc))

        def work(session, actor):
            image = product_images.add_product_image(
                session=session,
                actor=actor,
                product_id=_product_id(input.product_id),
                content=prepared,
                upload_dir=root,
            )
            return products.get_managed_product(
                session=session, actor=actor, product_id=image.product_id
            )

        return await respond(info, ProductPayload, work)

    @strawberry.mutation(description="删除本社产品的一张照片")
    async def remove_product_image(
        self,
        info: Info,
        input: Input[RemoveProductImageInput],
    ) -> ProductPayload:
        root = info.context.upload_dir

        def work(session, actor):
            image = product_images.remove_product_image(
                session=session,
                actor=actor,
                image_id=parse_id(input.image_id, "ProductImage", field="image_id"),
                upload_dir=root,
            )
            return products.get_managed_product(
                session=session, actor=actor, product_id=image.product_id
            )

        return await respond(info, ProductPayload, work)

    apply_for_certification = data_mutation(
        certification.apply_for_certification,
        CertificationPayload,
        ApplyForCertificationInput,
        "为本社产品申请消费帮扶产品认定（同一产品同时只能有一份待审核）",
        key="product_id",
        node="Product",
    )
    approve_certification = data_mutation(
        certification.approve_certification,
        CertificationPayload,
        ApproveCertificationInput,
        "认定为消费帮扶产品，并定有效期（产品所在县的乡村振兴局）",
        key="application_id",
        node="CertificationApplication",
    )
    reject_certification = data_mutation(
        certification.reject_certification,
        CertificationPayload,
        RejectCertificationInput,
        "驳回消费帮扶产品认定申请，附原因（产品所在县的乡村振兴局）",
        key="application_id",
        node="CertificationApplication",
    )
