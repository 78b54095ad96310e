package registry

import "testing"

func TestMasks(t *testing.T) {
	if got := MaskPhone("13812345678"); got != "138****5678" {
		t.Errorf("phone %q", got)
	}
	if got := MaskIDCard("34032119800101123X"); got != "3403**********123X" {
		t.Errorf("id %q", got)
	}
	if got := MaskPhone("123"); got != "***" {
		t.Errorf("short phone %q", got)
	}
}
