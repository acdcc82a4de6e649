package password

// LockoutKeys names the failure counters that lock a person's password
// logins: the account's and each of its logins' (ID number, mobile), so
// the fund's counter can unlock a locked account by resetting them.
// idHashKey is the broker's ID hash key, which names the counters.
func LockoutKeys(idHashKey []byte, personID string, logins ...string) []string {
	keys := []string{counterKey(idHashKey, accountLabel, personID)}
	for _, l := range logins {
		if n, _, err := normalizeLogin(l); err == nil {
			keys = append(keys, counterKey(idHashKey, loginLabel, n))
		}
	}
	return keys
}
