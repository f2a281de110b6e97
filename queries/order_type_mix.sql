-- description: customer orders closed in a store-month by order type, with revenue
-- description zh: 门店某月结算的客户工单按维修类别统计，含产值
-- param: store
-- param: month
select order_type, count(*) as orders, sum(revenue) as revenue
from stg_orders
where store_id = $store and month_closed = $month and is_customer
group by order_type
order by orders desc, order_type
