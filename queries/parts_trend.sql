-- description: 13-month trend of a store's parts KPIs: inventory value, turnover, days of supply, fill rate, dead-stock value
-- description zh: 门店配件指标的 13 个月趋势：库存金额、周转率、库存天数、满足率、呆滞库存金额
-- param: store
-- param: month
select month, inventory_value, issue_cost, turnover, days_of_supply, fill_rate, dead_stock_value, dead_parts, negative_parts
from int_parts_store_month
where store_id = $store and month <= $month
  and month > strftime(strptime($month || '-01', '%Y-%m-%d') - interval 13 month, '%Y-%m')
order by month
