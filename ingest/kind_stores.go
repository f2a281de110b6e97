package ingest

// stores (门店), CONTRACT §1.1. Natural key (store_id).
var Stores = register(&Kind{
	Name: "stores", Label: "门店",
	Columns: []Column{
		storeCol(),
		{Name: "store_name", Type: Text, Required: true, Display: true, Aliases: []string{"门店名称", "服务站名称"}},
		{Name: "region", Type: Text, Display: true, Aliases: []string{"区域", "大区"}},
		{Name: "brand", Type: Text, Display: true, Aliases: []string{"品牌"}},
	},
	Key:   []string{"store_id"},
	Since: "TIMESTAMP '1900-01-01'",
})
