-- description: payroll of a store-month per technician (confidential: shown on dashboards only with --include-pay)
-- description zh: 门店某月各技师的工资（保密：只有加 --include-pay 才在看板上显示）
-- param: store
-- param: month
select team_id, tech_id, tech_name, grade, coefficient, ratio, points, pool, share, topup, deduction, pay, closed
from mart_payroll
where store_id = $store and month = $month
order by team_id, tech_id
