package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"huzhu/internal/config"
	"huzhu/site"
)

func newSiteCmd(e *env) *cobra.Command {
	var cfgPath string
	cmd := &cobra.Command{
		Use:   "site --config FILE",
		Short: "Build the members' disclosure site into <out>/site, signed",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cfgPath == "" {
				return usageError{fmt.Errorf("--config is required")}
			}
			cfg, err := config.Load(cfgPath)
			if err != nil {
				return err
			}
			key, err := siteKey(cfg)
			if err != nil {
				return err
			}
			return withRun(e, cfgPath, []string{"site"}, func(ctx context.Context, r *stageRun) (any, error) {
				var res *site.Result
				err := publishOne(ctx, r, "site", func(dir string) (err error) {
					res, err = runSite(ctx, e, r, key, dir)
					return err
				})
				return map[string]any{"site": res}, err
			})
		},
	}
	cmd.Flags().StringVar(&cfgPath, "config", "", "the config file (TOML)")
	cmd.AddCommand(newSiteVerifyCmd(e))
	return cmd
}

// siteKey reads the signing key from the variable [site] signing_key_env
// names; a missing or malformed key is a configuration error (exit 2).
func siteKey(cfg *config.Config) (ed25519.PrivateKey, error) {
	name := cfg.Site.SigningKeyEnv
	v := os.Getenv(name)
	if v == "" {
		return nil, usageError{fmt.Errorf("the site signing key is missing: set %s to the hex of a 32-byte Ed25519 seed ([site] signing_key_env)", name)}
	}
	key, err := site.ParsePrivateKey(v)
	if err != nil {
		return nil, usageError{fmt.Errorf("%s: %w", name, err)}
	}
	return key, nil
}

// runSite builds the site into dir (a release's staging folder: the
// publish step swaps it into <out>/site with the other outputs) and prints
// how to check a copy.
func runSite(ctx context.Context, e *env, r *stageRun, key ed25519.PrivateKey, dir string) (*site.Result, error) {
	res, err := site.Build(ctx, r.db.SQL(), dir, site.Options{Key: key, K: r.cfg.Rules.KAnonymity, Rules: &r.cfg.Rules})
	if err != nil {
		return nil, err
	}
	final := filepath.Join(r.cfg.Out, "site")
	pub := hex.EncodeToString(key.Public().(ed25519.PublicKey))
	fmt.Fprintf(e.stdout, "site %s: %d pages, %d files, %d bytes in %.2fs (%.0f pages/s)\n",
		final, res.Pages, res.Files, res.Bytes, res.Seconds, float64(res.Pages)/max(res.Seconds, 1e-9))
	fmt.Fprintf(e.stdout, "site signed; check a copy with: huzhu site verify %s --pubkey %s\n", final, pub)
	return res, nil
}

func newSiteVerifyCmd(e *env) *cobra.Command {
	var pubkey string
	cmd := &cobra.Command{
		Use:   "verify DIR --pubkey KEY",
		Short: "Check a copy of the site against its signed manifest (KEY: hex, or a file holding it)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if pubkey == "" {
				return usageError{fmt.Errorf("--pubkey is required")}
			}
			pub, err := site.ParsePublicKey(pubkey)
			if err != nil {
				return usageError{err}
			}
			if err := site.Verify(args[0], pub); err != nil {
				return fmt.Errorf("site verify %s: FAILED:\n%w", args[0], err)
			}
			// An older release signed by the same key verifies too: say
			// which data it shows, for the reader to judge.
			asOf := "?"
			if b, err := os.ReadFile(filepath.Join(args[0], site.ManifestFile)); err == nil {
				var m site.Manifest
				if json.Unmarshal(b, &m) == nil && m.AsOf != "" {
					asOf = m.AsOf
				}
			}
			fmt.Fprintf(e.stdout, "site verify %s: OK — every file matches the manifest signed by %s; the data is as of %s\n", args[0], hex.EncodeToString(pub), asOf)
			return nil
		},
	}
	cmd.Flags().StringVar(&pubkey, "pubkey", "", "the site's Ed25519 public key: 64 hex digits, or a file holding them")
	return cmd
}
