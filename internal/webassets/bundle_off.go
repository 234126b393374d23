//go:build !embedassets

package webassets

import "io/fs"

// bundle is nil without the embedassets tag: files come from node_modules.
var bundle fs.FS
