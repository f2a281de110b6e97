-- description: stores × months for the dashboard index: orders, revenue and whether FTFR is provisional
-- description zh: 看板首页用的门店 × 月份：工单数、产值，以及一次修复率是否为暂估
select m.store_id, coalesce(s.store_name, m.store_id) as store_name, coalesce(s.region, '') as region, m.month, m.orders, m.revenue,
       m.ftfr, m.ftfr_provisional, m.as_of
from mart_store_month m
left join raw_stores s using (store_id)
where m.orders > 0
order by m.store_id, m.month
