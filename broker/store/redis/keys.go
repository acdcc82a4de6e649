package redisstore

// Key layout. p is the configured prefix; {…} is a Redis Cluster hash tag:
// Redis hashes only the part between the first '{' and the next '}', so
// keys with the same tag live in the same slot and one script or MULTI may
// touch them all (a cluster refuses cross-slot atomic operations).
//
//	p ar:<id>                    hash r=request JSON, a=authentication JSON   auth request, PX
//	p code:<hash>                "c:<authRequestID>" or tombstone "t:<id>"     code, PX
//	p rt:{<family>}              hash h=current member hash ("" once revoked), PX = current member's exp
//	                             g=its generation, d=its JSON, p=pending mark (refresh.go)
//	p rt:{<family>}:cur          earlier format: current member hash, "" once revoked   PX
//	p rt:{<family>}:m:<hash>     earlier format: member JSON, kept after rotation       PX = its exp
//	p rt:{<family>}:pend         earlier format: pending mark                           PX
//	p rv:grant:{<grant>}         "1" (same tag as the family of that ID)      PX until
//	p rv:jti:<jti>               "1"                                          PX until
//	p rv:sub:<subject>           unix ms: tokens issued before are revoked    PX until
//	p sess:<id>                  session JSON                                 PX = exp
//	p cnt:<key>                  integer                                      PX ttl
//	p val:<key>                  bytes                                        PX ttl
//	p keyset                     hash v=version, d=data
//	p client:{clients}:<id>      client JSON
//	p client-ids:{clients}       sorted set of client IDs, score 0 (ID order by ZRANGEBYLEX)
//	p unit:{acct}:<id>           unit JSON
//	p person:{acct}:<id>         person JSON
//	p person-id:{acct}:<hash>    person ID (unique index on IDHash)
//	p person-mobile:{acct}:<h>   person ID (unique index on MobileHash)
//	p agents:{acct}:<personID>   hash unitID → agent JSON
//	p unit-ids:{acct}            sorted set of unit IDs, score 0 (ID order)
//	p unit-org:{acct}:<org>      unit ID (index on the 组织机构代码 in the credit code)
//	p person-ids:{acct}          sorted set of person IDs, score 0
//	p unit-agents:{acct}:<unit>  sorted set of the unit's agents' person IDs
//	p link:{acct}:<c>\x00<s>     link JSON (connector c, subject s)
//	p links:{acct}               sorted set of every link's "<c>\x00<s>"
//	p links-of:{acct}:<id>       sorted set of "<c>\x00<s>" linked to a person or unit
//	p audit                      stream of audit events (field d = JSON)
//	p staff:{staff}:<person>     set of the person's broker roles
//	p staff-ids:{staff}          sorted set of staff person IDs, score 0
//	p qr:{<id>}                  string: a QR login session (format in qr.go)   PX = expiry + keep
//	p qr-events                  pub/sub channel: IDs of QR sessions that changed (not a key)
//
// Account records and their indexes share the single tag {acct} so PutPerson
// can check both unique indexes and write the person with them in one Lua
// script (a cluster refuses cross-slot atomic operations). The trade-off: on
// a cluster the whole account aggregate lives in one slot, hence on one
// master; it cannot spread over shards and its reads all land on that
// master. Account records are small and mostly read, so one master holds
// millions of them; everything hot and short-lived (auth requests, codes,
// tokens, sessions) is keyed per record and does spread. Should accounts ever
// outgrow one master, the indexes can move to their own tags at the price of
// a multi-step write with repair. Units and agents share {acct} as well so a
// later check of unit, person and agent together stays atomic. Clients share
// {clients} for the same reason on a smaller scale: a record and its place
// in the ID index change together.

type keys struct{ p string }

func (k keys) authRequest(id string) string { return k.p + "ar:" + id }
func (k keys) code(hash string) string      { return k.p + "code:" + hash }

// family is a refresh family's one record (refresh.go).
func (k keys) family(family string) string { return k.p + "rt:{" + family + "}" }

// The keys of families started before generations (refresh.go): a current
// member hash, a record per member, and the pending mark of an
// unconfirmed rotation. Read until they expire; never written anew.
func (k keys) legacyCur(family string) string     { return k.p + "rt:{" + family + "}:cur" }
func (k keys) legacyPending(family string) string { return k.p + "rt:{" + family + "}:pend" }
func (k keys) legacyMember(family, hash string) string {
	return k.p + "rt:{" + family + "}:m:" + hash
}
func (k keys) revokedGrant(grant string) string  { return k.p + "rv:grant:{" + grant + "}" }
func (k keys) revokedJTI(jti string) string      { return k.p + "rv:jti:" + jti }
func (k keys) revokedSubject(sub string) string  { return k.p + "rv:sub:" + sub }
func (k keys) session(id string) string          { return k.p + "sess:" + id }
func (k keys) sessionsOf(subject string) string  { return k.p + "sessof:" + subject }
func (k keys) counter(key string) string         { return k.p + "cnt:" + key }
func (k keys) value(key string) string           { return k.p + "val:" + key }
func (k keys) keySet() string                    { return k.p + "keyset" }
func (k keys) client(id string) string           { return k.p + "client:{clients}:" + id }
func (k keys) clientIDs() string                 { return k.p + "client-ids:{clients}" }
func (k keys) unit(id string) string             { return k.p + "unit:{acct}:" + id }
func (k keys) person(id string) string           { return k.p + "person:{acct}:" + id }
func (k keys) personByID(hash string) string     { return k.p + "person-id:{acct}:" + hash }
func (k keys) personByMobile(hash string) string { return k.p + "person-mobile:{acct}:" + hash }
func (k keys) agents(personID string) string     { return k.p + "agents:{acct}:" + personID }
func (k keys) unitByOrg(org string) string       { return k.p + "unit-org:{acct}:" + org }
func (k keys) unitIDs() string                   { return k.p + "unit-ids:{acct}" }
func (k keys) personIDs() string                 { return k.p + "person-ids:{acct}" }
func (k keys) unitAgents(unitID string) string   { return k.p + "unit-agents:{acct}:" + unitID }
func (k keys) link(member string) string         { return k.p + "link:{acct}:" + member }
func (k keys) links() string                     { return k.p + "links:{acct}" }
func (k keys) linksOf(id string) string          { return k.p + "links-of:{acct}:" + id }
func (k keys) audit() string                     { return k.p + "audit" }
func (k keys) staff(personID string) string      { return k.p + "staff:{staff}:" + personID }
func (k keys) staffIDs() string                  { return k.p + "staff-ids:{staff}" }

// Logout participants and the back-channel logout queue (logouts.go):
//
//	p lp:{<subject>}             hash participant JSON → expiry unix ms        PX = longest
//	p lps:<session>              the session's subject                          PX
//	p lq:{lq}:due                sorted set of delivery IDs by due unix ms
//	p lq:{lq}:d:<id>             delivery JSON                                  PX past its deadline
//	p lq:{lq}:done:<id>          "1": finished, not to be enqueued again        PX keep
func (k keys) logoutSubject(sub string) string { return k.p + "lp:{" + sub + "}" }
func (k keys) logoutSession(id string) string  { return k.p + "lps:" + id }
func (k keys) logoutDue() string               { return k.p + "lq:{lq}:due" }
func (k keys) logoutItem(id string) string     { return k.p + "lq:{lq}:d:" + id }
func (k keys) logoutDone(id string) string     { return k.p + "lq:{lq}:done:" + id }
