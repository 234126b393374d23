//go:build embedassets

package webassets

import (
	"embed"
	"io/fs"
)

//go:embed bundle
var bundleFS embed.FS

// bundle is the Runtime files bundlegen copied into bundle/.
var bundle fs.FS = bundleFS
