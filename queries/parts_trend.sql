-- description: 13-month trend of a store's parts KPIs: inventory value, turnover, days of supply, fill rate, dead-stock value
-- param: store
-- param: month
select month, inventory_value, issue_cost, turnover, days_of_supply, fill_rate, dead_stock_value, dead_parts, negative_parts
from int_parts_store_month
where store_id = $store and month <= $month
  and month > strftime(strptime($month || '-01', '%Y-%m-%d') - interval 13 month, '%Y-%m')
order by month
