// Command etcd is the etcd server built from the published go.etcd.io/etcd/server/v3 module.
// `go install go.etcd.io/etcd/server/v3@vX` is refused because that go.mod has replace directives;
// inside this wrapper they are ignored and the same-tag published modules are used instead.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
