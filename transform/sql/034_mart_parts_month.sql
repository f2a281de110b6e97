-- mart_parts_month: per store, month and part: stock, value, 6-month consumption, ABC class, MAD,
-- safety stock, suggested order, dead stock (CONTRACT §2.2).
-- test: unique(store_id, month, part_no)
-- test: expression(suggested_order >= 0)
select
    store_id, month, part_no,
    on_hand,
    inventory_value,
    consumption_value_6m,
    abc,
    mad,
    safety_stock,
    greatest(safety_stock_ceil - on_hand, 0) as suggested_order,
    dead,
    unit_cost,
    issued_net,
    last_issue_at
from int_parts_month
order by store_id, month, part_no
