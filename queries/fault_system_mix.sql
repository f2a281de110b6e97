-- description: job lines of orders closed in a store-month by fault system, with flagged hours
-- description zh: 门店某月结算工单的维修项目按故障系统统计，含派工工时
-- param: store
-- param: month
select fault_system, count(*) as jobs, sum(labor_hours) as flagged_hours
from stg_jobs
where store_id = $store and month_closed = $month and is_closed
group by fault_system
order by jobs desc, fault_system
