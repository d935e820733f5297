module github.com/ignitego/session/adapters/echov5

go 1.26.0

replace github.com/ignitego/session => ../..

require (
	github.com/ignitego/session v0.0.0-00010101000000-000000000000
	github.com/labstack/echo/v5 v5.4.6
	github.com/stretchr/testify v1.12.1
)

require (
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/net v0.63.0 // indirect
	golang.org/x/time v0.15.0 // indirect
)
