-- description: technicians of a store-month ranked by flagged hours, with efficiency and comebacks charged
-- description zh: 门店某月技师按派工工时排名，含效率和被扣款的返修次数
-- param: store
-- param: month default latest
with m as (
    select case when $month = 'latest' then (select max(month) from mart_tech_month where store_id = $store) else $month end as month
)
select
    rank() over (order by flagged_hours desc) as rank,
    tech_id, tech_name, team_id, grade, jobs, flagged_hours, labor_amount, days_worked, efficiency, comebacks
from mart_tech_month
where store_id = $store and month = (select month from m)
order by rank, tech_id
