module github.com/ignitego/session/adapters/echov5

go 1.24.0

replace github.com/ignitego/session => ../..
