package registry

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ID-card numbers (居民身份证号码, GB 11643-1999): 6-digit region, 8-digit
// birth date, 3-digit sequence (odd for men), and a check character by ISO
// 7064 MOD 11-2.

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idChecks = "10X98765432"

// IDCheckChar computes the check character of the first 17 digits.
func IDCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idChecks[sum%11]
}

// IDProblem says what is wrong with an ID number: "" when it is valid, else
// "length", "digits", "region", "birth_date" or "check_digit".
func IDProblem(id string) string {
	id = strings.ToUpper(strings.TrimSpace(id))
	if len(id) != 18 {
		return "length"
	}
	for i := 0; i < 17; i++ {
		if id[i] < '0' || id[i] > '9' {
			return "digits"
		}
	}
	if !strings.Contains(provinces, id[:2]) || id[2:6] == "0000" {
		return "region"
	}
	birth, err := time.Parse("20060102", id[6:14])
	if err != nil || birth.Year() < 1900 || birth.After(time.Now()) {
		return "birth_date"
	}
	if id[17] != IDCheckChar(id) {
		return "check_digit"
	}
	return ""
}

// ValidIDCard reports whether id is a well-formed ID number.
func ValidIDCard(id string) bool { return IDProblem(id) == "" }

// IDBirthDate is the birth date an ID number carries.
func IDBirthDate(id string) time.Time {
	t, _ := time.Parse("20060102", id[6:14])
	return t
}

// IDMale reports whether the sequence digit is odd (男).
func IDMale(id string) bool { return (id[16]-'0')%2 == 1 }

var schoolYearRe = regexp.MustCompile(`^\d{4}-\d{4}$`)

// consecutiveYears checks a school year like 2025-2026.
func consecutiveYears(y string) bool {
	a, _ := strconv.Atoi(y[:4])
	b, _ := strconv.Atoi(y[5:])
	return b == a+1
}
