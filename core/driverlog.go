package core

import "log/slog"

// Logger returns Config.Logger, where a driver reports what is worth
// knowing but is no error of the request: a client's cookie of a form the
// driver does not expect, say.
func (r *DriverRequest) Logger() *slog.Logger { return r.m.cfg.Logger }
