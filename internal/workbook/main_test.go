package workbook

import (
	"os"
	"testing"

	"github.com/aftersales/aftersales/internal/testenv"
)

// TestMain removes the sample databases testenv.Shared built for the tests.
func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
