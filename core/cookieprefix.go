package core

import "strings"

// checkCookieRules refuses cookie settings that browsers would make them
// drop: the rules of the __Secure- and __Host- name prefixes (RFC 6265bis,
// matched without regard to case, as browsers do) and of the Partitioned
// attribute (CHIPS).
func checkCookieRules(c *Config) error {
	name := c.CookiePrefix + c.CookieName
	hasPrefix := func(p string) bool { return len(name) >= len(p) && strings.EqualFold(name[:len(p)], p) }
	switch {
	case hasPrefix("__Secure-") && !c.CookieSecure:
		return configError("the cookie name %q starts with __Secure-, which needs CookieSecure", name)
	case hasPrefix("__Host-") && !c.CookieSecure:
		return configError("the cookie name %q starts with __Host-, which needs CookieSecure", name)
	case hasPrefix("__Host-") && c.CookieDomain != "":
		return configError("the cookie name %q starts with __Host-, which forbids a CookieDomain (%q)", name, c.CookieDomain)
	case hasPrefix("__Host-") && c.CookiePath != "/":
		return configError("the cookie name %q starts with __Host-, which needs CookiePath \"/\" (not %q)", name, c.CookiePath)
	case c.CookiePartitioned && !c.CookieSecure:
		return configError("CookiePartitioned needs CookieSecure: browsers drop such cookies")
	}
	return nil
}
