-- description: the settings of the latest transform run (JSON), so every figure can be explained
-- description zh: 最近一次 transform 使用的参数设置（JSON），让每个数字都能解释
select run_id, finished_at, settings_json from transform_runs order by run_id desc limit 1
