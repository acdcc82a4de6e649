package admin

import (
	"encoding/json"
	"time"

	"github.com/gjjid/gjjid/broker/store"
)

// personView is a person as the APIs show it: masked forms only. The full
// ID number leaves the broker only as the gjj:id_number claim, to clients
// an administrator allowed.
type personView struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	IDType       string    `json:"id_type"`
	IDMasked     string    `json:"id_number_masked"`
	MobileMasked string    `json:"mobile_masked,omitempty"`
	HasPassword  bool      `json:"has_password"`
	Status       string    `json:"status"`
	CreatedAt    time.Time `json:"created_at"`
}

func viewPerson(p *store.Person) personView {
	return personView{ID: p.ID, Name: p.Name, IDType: p.IDType, IDMasked: p.IDMasked, MobileMasked: p.MobileMasked,
		HasPassword: p.PasswordHash != "", Status: p.Status, CreatedAt: p.CreatedAt}
}

// auditPerson is what an audit event keeps of a person.
func auditPerson(p *store.Person) map[string]any {
	if p == nil {
		return nil
	}
	return map[string]any{"name": p.Name, "id_type": p.IDType, "id_number": p.IDMasked, "mobile": p.MobileMasked,
		"status": p.Status, "has_password": p.PasswordHash != ""}
}

func auditUnit(u *store.Unit) map[string]any {
	if u == nil {
		return nil
	}
	return map[string]any{"name": u.Name, "customer_no": u.CustomerNo, "status": u.Status}
}

func auditAgent(a *store.Agent) map[string]any {
	if a == nil {
		return nil
	}
	return map[string]any{"person_id": a.PersonID, "unit_id": a.UnitID, "roles": a.Roles, "status": a.Status}
}

func auditLink(l *store.Link) map[string]any {
	if l == nil {
		return nil
	}
	return map[string]any{"connector": l.Connector, "subject": l.Subject, "kind": l.Kind, "person_id": l.PersonID,
		"unit_id": l.UnitID, "label": l.Label}
}

// agentView is an agent record with the person's masked identity, for
// lists of a unit's agents.
type agentView struct {
	PersonID     string    `json:"person_id"`
	UnitID       string    `json:"unit_id"`
	Name         string    `json:"name,omitempty"`
	IDType       string    `json:"id_type,omitempty"`
	IDMasked     string    `json:"id_number_masked,omitempty"`
	MobileMasked string    `json:"mobile_masked,omitempty"`
	Roles        []string  `json:"roles"`
	Status       string    `json:"status"`
	CreatedAt    time.Time `json:"created_at"`
}

func viewAgent(a *store.Agent, p *store.Person) agentView {
	v := agentView{PersonID: a.PersonID, UnitID: a.UnitID, Roles: a.Roles, Status: a.Status, CreatedAt: a.CreatedAt}
	if v.Roles == nil {
		v.Roles = []string{}
	}
	if p != nil {
		v.Name, v.IDType, v.IDMasked, v.MobileMasked = p.Name, p.IDType, p.IDMasked, p.MobileMasked
	}
	return v
}

// mergeJSON encodes a and b as JSON objects and merges their members (b
// wins on a clash).
func mergeJSON(a, b any) ([]byte, error) {
	m := map[string]json.RawMessage{}
	for _, v := range []any{a, b} {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
	}
	return json.Marshal(m)
}
