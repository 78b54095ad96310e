package registry

import "testing"

func TestIDProblem(t *testing.T) {
	for id, want := range map[string]string{
		"11010519491231002X": "",
		"11010519491231002x": "", // a lower-case x is the same number
		"110105194912310021": "check_digit",
		"11010519490230002X": "birth_date",
		"1101051949123100":   "length",
		"11010519491231A02X": "digits",
		"99010519491231002X": "region",
		"340321209901010011": "birth_date",
	} {
		if got := IDProblem(id); got != want {
			t.Errorf("IDProblem(%s) = %q, want %q", id, got, want)
		}
	}
	if IDMale("11010519491231002X") {
		t.Error("sequence 002 is female")
	}
}

func TestSchoolCodeAndPhone(t *testing.T) {
	for code, want := range map[string]bool{"2134001234": true, "1134031287": true, "9934001234": false, "21340012345": false, "2199001234": false} {
		if ValidSchoolCode(code) != want {
			t.Errorf("ValidSchoolCode(%s) != %v", code, want)
		}
	}
	for p, want := range map[string]bool{"13812345678": true, "12812345678": false, "0552-8012345": true, "05528012345": true, "8012345": false} {
		if ValidPhone(p) != want {
			t.Errorf("ValidPhone(%s) != %v", p, want)
		}
	}
}
