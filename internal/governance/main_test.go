package governance_test

import (
	"testing"

	"edugroup/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }
