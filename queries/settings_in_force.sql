-- description: the settings of the latest transform run (JSON), so every figure can be explained
select run_id, finished_at, settings_json from transform_runs order by run_id desc limit 1
