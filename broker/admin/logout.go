package admin

import "context"

// Logout ends a principal's logins at the relying parties (back-channel
// logout; logout.Service implements it).
type Logout interface {
	EndSubject(ctx context.Context, subject, unitID, reason string) error
}

// reasonAdminRevoke is logout.ReasonAdminRevoke.
const reasonAdminRevoke = "admin_revoke"

// logout tells relying parties of a revoked principal. A failure is
// logged: the revocation itself stands, and the relying parties' tokens
// fail their next check at the broker.
func (a *API) logout(ctx context.Context, principal string) {
	if a.o.Logout == nil {
		return
	}
	if err := a.o.Logout.EndSubject(ctx, principal, "", reasonAdminRevoke); err != nil {
		a.log.ErrorContext(ctx, "back-channel logout of a revoked principal", "err", err)
	}
}
