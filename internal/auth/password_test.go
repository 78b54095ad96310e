package auth

import (
	"testing"

	"edugroup/internal/errs"
)

func TestPasswordPolicy(t *testing.T) {
	p := DefaultSecurity()
	cases := []struct {
		pw    string
		rules []string // expected detail keys, in order
	}{
		{"Xk7#mQ2v", nil},
		{"怀远县教育Ab1", nil},
		{"Ab1!", []string{"password.too_short"}},
		{"abcdefgh", []string{"password.classes"}},
		{"abcdefg1", []string{"password.classes"}},
		{"abcdefG1", nil},
		{"P@ssw0rd", []string{"password.weak"}},
		{"Zhangsan#2026", []string{"password.contains_username"}},
	}
	for _, c := range cases {
		err := CheckPasswordPolicy(p, "new_password", "zhangsan", c.pw)
		var got []string
		if e, ok := errs.As(err); ok {
			for _, d := range e.Details {
				if d.Field != "new_password" {
					t.Errorf("%q: field %q", c.pw, d.Field)
				}
				got = append(got, d.Key)
			}
		}
		if len(got) != len(c.rules) {
			t.Errorf("%q: got %v want %v", c.pw, got, c.rules)
			continue
		}
		for i := range got {
			if got[i] != c.rules[i] {
				t.Errorf("%q: got %v want %v", c.pw, got, c.rules)
			}
		}
	}
}

func TestHashParamsMeetMinimum(t *testing.T) {
	h, err := HashPassword("Xk7#mQ2v")
	if err != nil {
		t.Fatal(err)
	}
	// PHC string: $argon2id$v=19$m=19456,t=2,p=1$...
	want := "$argon2id$v=19$m=19456,t=2,p=1$"
	if len(h) < len(want) || h[:len(want)] != want {
		t.Fatalf("hash %q does not start with %q", h, want)
	}
	if !CheckPassword("Xk7#mQ2v", h) || CheckPassword("Xk7#mQ2V", h) {
		t.Fatal("CheckPassword does not tell right from wrong")
	}
}
