package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// alertFinding is one new critical finding in an alert: codes and figures
// of the subject, never a person.
type alertFinding struct {
	FindingID    string `json:"finding_id"`
	RuleID       string `json:"rule_id"`
	Clause       string `json:"clause"`
	PoolCode     string `json:"pool_code"`
	OperatorCode string `json:"operator_code"`
	ActivityCode string `json:"activity_code,omitempty"`
	FiscalYear   int    `json:"fiscal_year,omitempty"`
	Amount       string `json:"amount,omitempty"`
}

// alertPayload is the JSON the webhook receives.
type alertPayload struct {
	Event       string           `json:"event"` // run_failed | new_critical_findings
	RunID       string           `json:"run_id"`
	Status      string           `json:"status"`
	ExitCode    int              `json:"exit_code"`
	Error       string           `json:"error,omitempty"`
	Tripped     []string         `json:"gates_tripped,omitempty"`
	Published   bool             `json:"published"`
	FindingsNew int64            `json:"findings_new_critical"`
	Findings    map[string]int64 `json:"findings_open"`
	NewCritical []alertFinding   `json:"new_critical,omitempty"`
	Manifest    string           `json:"manifest"` // its path on the host
	Host        string           `json:"host"`
	Scope       string           `json:"scope,omitempty"` // the pool of run --pool, or "rollup"
}

// alert posts the run's summary to [alerts] webhook_url when the run
// failed or found new critical findings. Delivery retries with backoff
// (go-retryablehttp); a failed delivery is reported, not fatal.
func alert(ctx context.Context, r *stageRun, m *runManifest, runErr error) error {
	url := r.cfg.Alerts.WebhookURL
	if url == "" || (runErr == nil && m.NewCritical == 0) {
		return nil
	}
	p := alertPayload{Event: "new_critical_findings", RunID: m.RunID, Status: m.Status, ExitCode: m.ExitCode, Tripped: m.Tripped,
		Published: m.Published, FindingsNew: m.NewCritical, Findings: m.Findings, Scope: m.Scope}
	p.Host, _ = os.Hostname()
	p.Manifest = filepath.Join(r.cfg.Out, "runs", m.RunID+".json")
	if abs, err := filepath.Abs(p.Manifest); err == nil {
		p.Manifest = abs
	}
	if runErr != nil {
		p.Event, p.Error = "run_failed", runErr.Error()
	}
	// The alert goes out even when its list of findings cannot be read
	// (the count is in the payload); that failure is reported beside it.
	var listErr error
	if m.NewCritical > 0 {
		listErr = eachRow(ctx, r.db.SQL(), "alert_new_critical", []any{m.RunID}, func(rows *sql.Rows) error {
			var f alertFinding
			if err := rows.Scan(&f.FindingID, &f.RuleID, &f.Clause, &f.PoolCode, &f.OperatorCode, &f.ActivityCode, &f.FiscalYear, &f.Amount); err != nil {
				return err
			}
			p.NewCritical = append(p.NewCritical, f)
			return nil
		})
		if listErr != nil {
			listErr = fmt.Errorf("alert: new critical findings: %w", listErr)
		}
	}
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	c := retryablehttp.NewClient()
	c.Logger = nil
	c.RetryMax = 4
	c.RetryWaitMin, c.RetryWaitMax = 200*time.Millisecond, 3*time.Second
	c.HTTPClient.Timeout = 10 * time.Second
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if env := r.cfg.Alerts.TokenEnv; env != "" {
		req.Header.Set("Authorization", "Bearer "+os.Getenv(env))
	}
	resp, err := c.Do(req)
	if err != nil {
		return errors.Join(listErr, fmt.Errorf("webhook: %w", err))
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		return errors.Join(listErr, fmt.Errorf("webhook: %s", resp.Status))
	}
	r.log.Info("alert delivered", "event", p.Event)
	return listErr
}
