-- description: the group median and quartiles of every benchmark KPI for the 13 months ending at a month
-- description zh: 截至某月的 13 个月里每项对标指标的集团中位数和四分位数
-- param: month
select distinct month, kpi, group_median, group_q1, group_q3, stores_ranked
from mart_benchmark
where month <= $month and month > strftime(strptime($month || '-01', '%Y-%m-%d') - interval 13 month, '%Y-%m')
order by kpi, month
