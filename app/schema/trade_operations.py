"""The 消费帮扶 domain's GraphQL fields: products, demands, orders, reserved shares, and the
bureau's trade figures."""

from app.schema.order_mutations import OrderMutations
from app.schema.product_mutations import ProductMutations
from app.schema.trade_bureau import TradeBureauQueries
from app.schema.trade_queries import TradeQueries

QUERIES = (TradeQueries, TradeBureauQueries)
MUTATIONS = (ProductMutations, OrderMutations)
