package redisstore

import (
	"context"
	"slices"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gjjid/gjjid/broker/store"
)

// grantStaff adds roles to a person's set and the person to the index.
//
//	KEYS  the person's role set, the index (both tagged {staff})
//	ARGV  person ID, roles…
var grantStaff = goredis.NewScript(`
for i = 2, #ARGV do redis.call('SADD', KEYS[1], ARGV[i]) end
redis.call('ZADD', KEYS[2], 0, ARGV[1])
return 1
`)

// revokeStaff removes roles and drops the person from the index once none
// is left.
var revokeStaff = goredis.NewScript(`
for i = 2, #ARGV do redis.call('SREM', KEYS[1], ARGV[i]) end
if redis.call('SCARD', KEYS[1]) == 0 then redis.call('ZREM', KEYS[2], ARGV[1]) end
return 1
`)

// GrantStaffRoles adds roles to the person's.
func (s *Store) GrantStaffRoles(ctx context.Context, personID string, roles ...string) error {
	const op = "grant staff roles"
	if err := store.StaffInput("redis: "+op, personID, roles); err != nil {
		return err
	}
	return wrap(op, grantStaff.Run(ctx, s.c, []string{s.k.staff(personID), s.k.staffIDs()}, staffArgs(personID, roles)...).Err())
}

// RevokeStaffRoles removes roles; a person left with none leaves the index.
func (s *Store) RevokeStaffRoles(ctx context.Context, personID string, roles ...string) error {
	const op = "revoke staff roles"
	if err := store.StaffInput("redis: "+op, personID, roles); err != nil {
		return err
	}
	return wrap(op, revokeStaff.Run(ctx, s.c, []string{s.k.staff(personID), s.k.staffIDs()}, staffArgs(personID, roles)...).Err())
}

// StaffRoles returns the person's roles, sorted.
func (s *Store) StaffRoles(ctx context.Context, personID string) ([]string, error) {
	roles, err := s.c.SMembers(ctx, s.k.staff(personID)).Result()
	if err != nil {
		return nil, wrap("staff roles", err)
	}
	slices.Sort(roles)
	if len(roles) == 0 {
		return nil, nil
	}
	return roles, nil
}

// ListStaff returns every staff member in person-ID order.
func (s *Store) ListStaff(ctx context.Context) ([]*store.StaffMember, error) {
	ids, err := s.c.ZRange(ctx, s.k.staffIDs(), 0, -1).Result()
	if err != nil {
		return nil, wrap("list staff", err)
	}
	out := make([]*store.StaffMember, 0, len(ids))
	for _, id := range ids {
		roles, err := s.StaffRoles(ctx, id)
		if err != nil {
			return nil, err
		}
		if len(roles) > 0 {
			out = append(out, &store.StaffMember{PersonID: id, Roles: roles})
		}
	}
	return out, nil
}

func staffArgs(personID string, roles []string) []any {
	args := []any{personID}
	for _, r := range roles {
		args = append(args, r)
	}
	return args
}
