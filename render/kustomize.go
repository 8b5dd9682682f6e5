package render

func newKustomize(o Options) Collector { return nil }
