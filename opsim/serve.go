package opsim

import (
	"huzhu/opsim/httpapi"
)

// Server builds every operator's tables and returns the contract's HTTP API
// over them (see package httpapi for faults and auth).
func (w *World) Server(opt httpapi.Options) (*httpapi.Server, error) {
	ops := make([]httpapi.Operator, 0, len(w.Operators))
	for _, op := range w.Operators {
		tabs, err := op.Tables()
		if err != nil {
			return nil, err
		}
		ops = append(ops, httpapi.Operator{Code: op.Code, Name: op.Name, AsOf: w.ExportStamp(), Tables: tabs})
	}
	if opt.Seed == 0 {
		opt.Seed = w.P.Seed
	}
	return httpapi.New(ops, opt), nil
}
