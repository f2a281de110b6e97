package mask

import "testing"

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"张三": "张*", "欧阳娜娜": "欧***", "张": "张*", "": "", "John Smith": "J*********", "</script>": "<********"} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"13812341234": "138****1234", "138-1234-1234": "138****1234", "021-5555666": "********66", "": "", "abc": "****", "1.38E+10": "****", "+86 13812341234": "138****1234", "86-138-1234-1234": "138****1234", "8613812341234": "138****1234", "0086 13812341234": "*************34"} {
		if got := Phone(in); got != want {
			t.Errorf("Phone(%q) = %q, want %q", in, got, want)
		}
	}
}
