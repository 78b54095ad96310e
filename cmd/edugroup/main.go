// Command edugroup is EduGroup (集团化办学管理平台): server, command line and
// web client in one binary.
package main

import (
	"context"
	"os"

	"edugroup/internal/app"
)

func main() {
	os.Exit(app.Run(context.Background(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}
