package settings

import (
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard-dev/switchboard/shared/contract/envnames"
)

// CanarySettings are the thresholds of the outcome-ratio rollback alarms, in percent of
// one minute's turns (or tool calls) of the version being deployed: the EMF metrics
// they watch carry the function version (metricdefs.DimFunctionVersion), so the new
// version's ratios are its own, however small its share of the traffic.
type CanarySettings struct {
	FailedTurnPercent float64
	FallbackPercent   float64
	ToolErrorPercent  float64
}

// DefaultCanary are the default thresholds.
func DefaultCanary() CanarySettings {
	return CanarySettings{FailedTurnPercent: 5, FallbackPercent: 5, ToolErrorPercent: 5}
}

// Context keys of CanarySettings.
const (
	CtxFailedTurnPercent = "failedTurnPercent"
	CtxFallbackPercent   = "fallbackPercent"
	CtxToolErrorPercent  = "toolErrorPercent"
)

// FromContext reads the thresholds through num (FromContext's number reader).
func (c *CanarySettings) FromContext(num func(key string, set func(float64))) {
	num(CtxFailedTurnPercent, func(f float64) { c.FailedTurnPercent = f })
	num(CtxFallbackPercent, func(f float64) { c.FallbackPercent = f })
	num(CtxToolErrorPercent, func(f float64) { c.ToolErrorPercent = f })
}

// Validate returns one message per threshold out of range.
func (c CanarySettings) Validate() []string {
	var errs []string
	for key, v := range map[string]float64{CtxFailedTurnPercent: c.FailedTurnPercent, CtxFallbackPercent: c.FallbackPercent, CtxToolErrorPercent: c.ToolErrorPercent} {
		if v <= 0 || v >= 100 {
			errs = append(errs, fmt.Sprintf("%s: %v must be above 0 and below 100 (percent of the new version's turns or tool calls)", key, v))
		}
	}
	slices.Sort(errs)
	return errs
}

// SmokeSettings are the pre-traffic smoke test's and the synthetic conversations'
// customer, known truth and schedule (shared/smoke.Profile).
type SmokeSettings struct {
	Email, PaymentRef, Query              string
	ExpectName, ExpectPlan, ExpectArticle string
	// TicketSandbox, when set, names the sandbox helpdesk or queue the createticket
	// function's tickets go to, and allows create-ticket smoke. Empty: skipped.
	TicketSandbox string
	// SyntheticMinutes is the synthetic conversations' schedule (default 5).
	SyntheticMinutes int
}

// DefaultSmoke are the defaults: the sample events' own values, no truth to check, no
// ticket sandbox, every 5 minutes.
func DefaultSmoke() SmokeSettings { return SmokeSettings{SyntheticMinutes: 5} }

// Context keys of SmokeSettings.
const (
	CtxSmokeEmail         = "smoke.email"
	CtxSmokePaymentRef    = "smoke.paymentRef"
	CtxSmokeQuery         = "smoke.query"
	CtxSmokeExpectName    = "smoke.expectName"
	CtxSmokeExpectPlan    = "smoke.expectPlan"
	CtxSmokeExpectArticle = "smoke.expectArticle"
	CtxSmokeTicketSandbox = "smoke.ticketSandbox"
	CtxSyntheticMinutes   = "syntheticMinutes"
)

// FromContext reads the smoke settings through FromContext's readers.
func (m *SmokeSettings) FromContext(str func(key string, dst *string), num func(key string, set func(float64))) {
	str(CtxSmokeEmail, &m.Email)
	str(CtxSmokePaymentRef, &m.PaymentRef)
	str(CtxSmokeQuery, &m.Query)
	str(CtxSmokeExpectName, &m.ExpectName)
	str(CtxSmokeExpectPlan, &m.ExpectPlan)
	str(CtxSmokeExpectArticle, &m.ExpectArticle)
	str(CtxSmokeTicketSandbox, &m.TicketSandbox)
	num(CtxSyntheticMinutes, func(f float64) { m.SyntheticMinutes = int(f) })
}

// Validate returns one message per invalid smoke setting.
func (m SmokeSettings) Validate() []string {
	var errs []string
	if m.SyntheticMinutes < 1 || m.SyntheticMinutes > 60 {
		errs = append(errs, fmt.Sprintf("%s: %d must be 1..60", CtxSyntheticMinutes, m.SyntheticMinutes))
	}
	if m.Email != "" && !strings.Contains(m.Email, "@") {
		errs = append(errs, fmt.Sprintf("%s: %q is not an email address", CtxSmokeEmail, m.Email))
	}
	return errs
}

// Env is the smoke function's profile environment.
func (m SmokeSettings) Env() map[string]string {
	out := map[string]string{}
	for k, v := range map[string]string{
		envnames.SmokeEmail: m.Email, envnames.SmokePaymentRef: m.PaymentRef, envnames.SmokeQuery: m.Query,
		envnames.SmokeExpectName: m.ExpectName, envnames.SmokeExpectPlan: m.ExpectPlan, envnames.SmokeExpectArticle: m.ExpectArticle,
		envnames.SmokeTicketSandbox: m.TicketSandbox,
	} {
		if v != "" {
			out[k] = v
		}
	}
	return out
}
