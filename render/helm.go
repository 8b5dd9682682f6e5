package render

func newHelm(o Options) Collector { return nil }
