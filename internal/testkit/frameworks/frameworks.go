// Package frameworks registers the framework front ends (Gin, Echo v4, Echo
// v5 and Fiber v2) with internal/testkit/frontends when imported, and holds
// the behaviour table that runs every test route through all of them. It is
// a module of its own so that no other module's tests compile a framework
// they do not serve.
package frameworks
