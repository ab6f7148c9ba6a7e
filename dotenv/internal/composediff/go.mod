module github.com/secretsctl/secretsctl/dotenv/internal/composediff

go 1.26.8

require (
	github.com/compose-spec/compose-go/v2 v2.16.2
	github.com/secretsctl/secretsctl v0.0.0
)

require (
	github.com/sirupsen/logrus v1.10.1 // indirect
	golang.org/x/sys v0.49.0 // indirect
)

replace github.com/secretsctl/secretsctl => ../../..
