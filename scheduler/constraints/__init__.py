"""One module per constraint family; each posts its rules on a `Context`."""
