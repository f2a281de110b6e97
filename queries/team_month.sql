-- description: teams of a store-month: technicians, flagged hours, labour, comebacks charged and mean efficiency
-- description zh: 门店某月各班组：技师人数、派工工时、工时费、被扣款的返修次数和平均效率
-- param: store
-- param: month
select coalesce(team_id, '(none)') as team_id, count(*) as techs, sum(jobs) as jobs, sum(flagged_hours) as flagged_hours,
       sum(labor_amount) as labor_amount, sum(comebacks) as comebacks, avg(efficiency) as efficiency
from mart_tech_month
where store_id = $store and month = $month
group by 1
order by 1
