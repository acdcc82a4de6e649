package store

import "context"

// StaffMember is a person holding broker roles (gjjid:admin, gjjid:counter,
// gjjid:audit): the fund's own staff.
type StaffMember struct {
	PersonID string   `json:"person_id"`
	Roles    []string `json:"roles"` // sorted
}

// Staff keeps the broker roles of persons. Grants and revocations are
// per role and atomic, so two administrators changing one person's roles
// at once lose neither change.
type Staff interface {
	// GrantStaffRoles adds roles to the person's; granting a held role is
	// no error.
	GrantStaffRoles(ctx context.Context, personID string, roles ...string) error
	// RevokeStaffRoles removes roles; a person left with none is no longer
	// staff. Revoking a role not held is no error.
	RevokeStaffRoles(ctx context.Context, personID string, roles ...string) error
	// StaffRoles returns the person's roles, sorted; none (no error) for a
	// person who is not staff.
	StaffRoles(ctx context.Context, personID string) ([]string, error)
	// ListStaff returns every staff member in person-ID order.
	ListStaff(ctx context.Context) ([]*StaffMember, error)
}

// StaffInput refuses an empty person ID, no roles or an empty role; every
// backend checks grants and revocations with it.
func StaffInput(op, personID string, roles []string) error {
	if err := Required(op, "person ID", personID); err != nil {
		return err
	}
	if len(roles) == 0 {
		return Required(op, "role", "")
	}
	for _, r := range roles {
		if err := Required(op, "role", r); err != nil {
			return err
		}
	}
	return nil
}
