package store

// SetParallelReadMin lowers the number of ledger files from which reads use
// every core, so that small test ledgers take that path; it returns the
// function that restores it.
func SetParallelReadMin(n int) (restore func()) {
	old := parallelReadMin
	parallelReadMin = n
	return func() { parallelReadMin = old }
}
