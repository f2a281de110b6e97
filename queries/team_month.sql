-- description: teams of a store-month: technicians, flagged hours, labour, comebacks charged and mean efficiency
-- param: store
-- param: month
select coalesce(team_id, '(none)') as team_id, count(*) as techs, sum(jobs) as jobs, sum(flagged_hours) as flagged_hours,
       sum(labor_amount) as labor_amount, sum(comebacks) as comebacks, avg(efficiency) as efficiency
from mart_tech_month
where store_id = $store and month = $month
group by 1
order by 1
